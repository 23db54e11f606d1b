/**
 * Where an action goes on the network: the URL in its target or parameters, parsed with the
 * WHATWG parser (host-names.ts), plus the signs of a disguised URL. Different HTTP clients
 * parse odd URLs differently (credentials before "@", backslashes, percent-encoded hosts):
 * the host we check might not be the host the tool connects to, so such URLs are refused
 * outright rather than interpreted.
 */
import { canonicalHost, isMetadataEndpoint } from './host-names.js';

export interface ActionUrl {
  /** Canonical hostname (see host-names.ts). */
  host: string;
  /** "https", "http", ... (no colon). */
  scheme: string;
  /** Reasons the URL is disguised or dangerous; empty when it is plain. */
  suspicious: string[];
}

const NETWORK_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp']);
/** Parameter names that carry an action's destination URL, in order of preference. */
const URL_KEYS = ['url', 'uri', 'endpoint', 'href', 'link', 'webhook', 'webhook_url', 'webhookUrl', 'target_url', 'targetUrl'];

/** Looks like an absolute URL ("scheme://", "scheme:\\") or a scheme-relative one ("//host"). */
export function looksLikeUrl(text: string): boolean {
  return /^\s*(?:[a-z][a-z0-9+.-]*:[/\\]{2}|\/\/[^/])/i.test(text);
}

/** The URL an action is aimed at: its target when that is a URL, else a URL-named string parameter. */
export function findActionUrl(target: string, parameters: Readonly<Record<string, unknown>>): string | undefined {
  if (looksLikeUrl(target)) return target;
  for (const key of URL_KEYS) {
    const v = parameters[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** The authority as written (between "//" and the first "/", "?" or "#"), for evasion checks. */
function rawAuthority(raw: string): string {
  const start = raw.search(/[/\\]{2}/);
  if (start < 0) return '';
  const rest = raw.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Parses an action's URL; undefined when it does not parse at all (a refusal reason of its own). */
export function parseActionUrl(raw: string): ActionUrl | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim().startsWith('//') ? `https:${raw.trim()}` : raw);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.slice(0, -1);
  const host = canonicalHost(url.hostname);
  const suspicious: string[] = [];
  const authority = rawAuthority(raw);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
  if (/[\u0000-\u0020\u007f]/.test(raw.trim())) suspicious.push('the URL contains whitespace or control characters');
  if (raw.includes('\\')) suspicious.push('the URL contains a backslash (clients disagree on where the host ends)');
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    suspicious.push('the URL carries credentials before "@" (a common way to disguise the real host)');
  }
  if (authority.includes('%')) suspicious.push('the URL host is percent-encoded');
  if (!NETWORK_SCHEMES.has(scheme)) suspicious.push(`the URL scheme "${scheme}" is not a network scheme`);
  if (isMetadataEndpoint(host)) suspicious.push('the URL points at a cloud instance-metadata endpoint');
  return { host, scheme, suspicious };
}
