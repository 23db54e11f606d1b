/**
 * What a URL could carry: its decoded components (path segments, query keys and values, the
 * fragment and its parameters, subdomain labels), and the data-shaped ones among them:
 *  - 'encoded-text'  base64/base64url/hex that decodes to readable text (strong);
 *  - 'host-data'     long random or encoded labels left of the registrable domain (DNS exfiltration);
 *  - 'conversation'  words also found in the conversation (input or system prompt);
 *  - 'prose'         a sentence of words (weak on its own: search links have them too);
 *  - 'opaque-blob'   a long random token (weak: ids and signatures look the same).
 * PII and secrets inside components are found by the caller with the PII and secret detectors.
 *
 * Parsing is WHATWG URL's: userinfo tricks ("docs.python.org@evil.com") resolve to the real
 * host, IDNs come back in punycode, numeric IPv4 forms are normalised.
 */
import { shannonEntropy } from '../secrets/entropy.js';
import { registrableDomain } from './domains.js';

export type DataKind = 'encoded-text' | 'host-data' | 'conversation' | 'prose' | 'opaque-blob';

const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:']);

/** The URL, when it is an absolute network URL (protocol-relative "//host" counts as https). */
export function parseNetworkUrl(raw: string): URL | null {
  const value = raw.startsWith('//') ? `https:${raw}` : raw;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return null;
  try {
    const url = new URL(value);
    return NETWORK_SCHEMES.has(url.protocol) && url.hostname !== '' ? url : null;
  } catch {
    return null;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** The pieces of a URL that can hold data, decoded (no empty ones). */
export function urlComponents(url: URL): string[] {
  const out: string[] = [];
  for (const segment of url.pathname.split('/')) if (segment !== '') out.push(safeDecode(segment));
  for (const [key, value] of url.searchParams) {
    if (key !== '') out.push(key);
    if (value !== '') out.push(value);
  }
  const fragment = url.hash.slice(1);
  if (fragment !== '') {
    if (/^[^=&]+=/.test(fragment)) {
      for (const [key, value] of new URLSearchParams(fragment)) {
        if (key !== '') out.push(key);
        if (value !== '') out.push(value);
      }
    } else {
      out.push(safeDecode(fragment));
    }
  }
  if (url.username) out.push(safeDecode(url.username));
  if (url.password) out.push(safeDecode(url.password));
  return out;
}

/** Labels of the host left of its registrable domain ("a1b2.c3.evil.com" → ["a1b2", "c3"]). */
export function subdomainLabels(host: string): string[] {
  const registrable = registrableDomain(host);
  if (registrable === host) return [];
  return host.slice(0, host.length - registrable.length - 1).split('.');
}

const BASE64_SHAPE = /^[A-Za-z0-9+/_-]{24,}={0,2}$/;
const HEX_SHAPE = /^(?:[0-9a-fA-F]{2}){12,}$/;
const WORD = /^[\p{L}][\p{L}'’-]*$/u;

/** Readable text: mostly printable, with some letters and few control characters. */
function readable(bytes: Buffer): boolean {
  if (bytes.length < 12) return false;
  const text = bytes.toString('utf8');
  if (text.includes('\ufffd')) return false;
  let printable = 0;
  let letters = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c !== 127)) printable++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  const length = [...text].length;
  return printable / length >= 0.95 && letters / length >= 0.4;
}

/** True when the value is base64, base64url or hex of readable text. */
export function isEncodedText(value: string): boolean {
  if (HEX_SHAPE.test(value)) return readable(Buffer.from(value, 'hex'));
  if (!BASE64_SHAPE.test(value)) return false;
  return readable(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

function isOpaqueBlob(value: string): boolean {
  return value.length >= 40 && /^[A-Za-z0-9+/_=.-]+$/.test(value) && shannonEntropy(value) >= 4.2;
}

/** The words of a component written as prose ("the+user+said", "the_user said"). */
export function proseWords(value: string): string[] {
  return value
    .split(/[\s+_.,;:!?/]+/)
    .filter((w) => w.length >= 2 && WORD.test(w))
    .map((w) => w.toLowerCase());
}

/** Lower-case word trigrams of a text, for recognising conversation text in components. */
export function wordTrigrams(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const set = new Set<string>();
  for (let i = 0; i + 3 <= words.length; i++) set.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return set;
}

function sharesTrigrams(words: readonly string[], conversation: ReadonlySet<string>, needed: number): boolean {
  let shared = 0;
  for (let i = 0; i + 3 <= words.length; i++) {
    if (conversation.has(`${words[i]} ${words[i + 1]} ${words[i + 2]}`) && ++shared >= needed) return true;
  }
  return false;
}

function isHostData(labels: readonly string[]): boolean {
  const joined = labels.join('');
  if (joined.length >= 48) return true;
  return labels.some(
    (l) => l.length >= 20 && (isEncodedText(l) || (/\d/.test(l) && /[a-z]/.test(l) && shannonEntropy(l) >= 3.6)),
  );
}

/**
 * The kinds of data the URL's components carry. `conversation` is the trigram set of the
 * conversation (empty when the scan has no context).
 */
export function dataKinds(url: URL, components: readonly string[], conversation: ReadonlySet<string>): Set<DataKind> {
  const kinds = new Set<DataKind>();
  if (isHostData(subdomainLabels(url.hostname))) kinds.add('host-data');
  for (const value of components) {
    // "<hex>.png": the payload dressed as a file name.
    const stem = value.replace(/\.[A-Za-z0-9]{2,5}$/, '');
    if ((value.length >= 24 && isEncodedText(value)) || (stem !== value && stem.length >= 24 && isEncodedText(stem))) kinds.add('encoded-text');
    else if (isOpaqueBlob(value)) kinds.add('opaque-blob');
    const words = proseWords(value);
    if (words.length >= 3 && conversation.size > 0 && sharesTrigrams(words, conversation, 2)) kinds.add('conversation');
    else if (words.length >= 5) kinds.add('prose');
  }
  return kinds;
}
