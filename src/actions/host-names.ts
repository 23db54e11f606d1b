/**
 * Hostnames as a network client will resolve them, and host patterns from policies in the
 * same form, so that comparing the two is plain string equality.
 *
 * URLs are parsed with the WHATWG URL parser (Node's `URL`): it lower-cases, applies IDNA
 * (homographs become their `xn--` form and no longer equal the name they imitate),
 * percent-decodes the host, reads `\` as `/` in special schemes, and canonicalises IPv4 in
 * decimal, octal or hex (`http://2130706433/` is 127.0.0.1). On top of that we drop a trailing
 * dot and turn IPv4-mapped IPv6 (`[::ffff:127.0.0.1]`) into the IPv4 address it reaches.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** `[::ffff:7f00:1]` (the parser's form) or `[::ffff:127.0.0.1]` → "127.0.0.1". */
function unmapIpv4(bracketed: string): string | undefined {
  const m = /^\[::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))\]$/.exec(bracketed);
  if (!m) return undefined;
  if (m[3]) return m[3];
  const hi = parseInt(m[1] ?? '0', 16);
  const lo = parseInt(m[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** A parser-produced hostname → the form used in comparisons. */
export function canonicalHost(hostname: string): string {
  let host = hostname.toLowerCase();
  while (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('[')) return unmapIpv4(host) ?? host;
  return host;
}

/**
 * A host pattern from a policy ("Internal.Acme.Example.", "*.acme.example", "127.0.0.1",
 * "::1", "bücher.example") in canonical form, or undefined when it is not a hostname.
 * Wildcards keep their "*." prefix.
 */
export function canonicalHostPattern(pattern: string): string | undefined {
  const wildcard = pattern.startsWith('*.');
  const body = wildcard ? pattern.slice(2) : pattern;
  if (body === '' || /[\s/\\@?#*]/.test(body)) return undefined;
  if (isIP(body) === 6) return wildcard ? undefined : canonicalHost(`[${new URL(`http://[${body}]`).hostname.slice(1, -1)}]`);
  let parsed: string;
  try {
    parsed = new URL(`http://${body}/`).hostname;
  } catch {
    return undefined;
  }
  const ascii = parsed.startsWith('[') ? parsed : domainToASCII(parsed);
  if (ascii === '') return undefined;
  const host = canonicalHost(ascii);
  // "." (or "..") is no host at all once trailing dots go; it would match host-less URLs (file:).
  if (host === '') return undefined;
  if (wildcard && (isIP(host) !== 0 || host.startsWith('['))) return undefined;
  return wildcard ? `*.${host}` : host;
}

/** Compiled host patterns: exact names and wildcard suffixes ("*.x" = any subdomain of x, not x). */
export class HostMatcher {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(patterns: readonly string[]) {
    for (const p of patterns) {
      const c = canonicalHostPattern(p);
      if (c === undefined) continue; // validated at load; an invalid one matches nothing
      if (c.startsWith('*.')) this.suffixes.push(c.slice(1));
      else this.exact.add(c);
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.suffixes.length === 0;
  }

  matches(host: string): boolean {
    if (this.exact.has(host)) return true;
    for (const s of this.suffixes) if (host.length > s.length && host.endsWith(s)) return true;
    return false;
  }
}

function ipv4Octets(host: string): number[] | undefined {
  if (isIP(host) !== 4) return undefined;
  return host.split('.').map(Number);
}

/** Loopback, private and link-local addresses and "localhost": destinations inside the host's network. */
export function isPrivateNetworkHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const o = ipv4Octets(host);
  if (o) {
    const [a = 0, b = 0] = o;
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0;
  }
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return v6 === '::1' || v6 === '::' || /^f[cd][0-9a-f]{0,2}:/.test(v6) || /^fe[89ab][0-9a-f]?:/.test(v6);
  }
  return false;
}

/** Cloud instance-metadata endpoints: a classic SSRF target that hands out credentials. */
export function isMetadataEndpoint(host: string): boolean {
  return host === '169.254.169.254' || host === '[fd00:ec2::254]' || host === 'metadata.google.internal' || host === '100.100.100.200';
}
