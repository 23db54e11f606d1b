/**
 * Synthetic secrets for tests, generated from a seeded PRNG so that the repository holds no
 * token literals (real or fake) that scanners would flag, and every run sees the same values.
 */
import { crc32 } from '../../src/detectors/secrets/validators.js';

/** mulberry32: a tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const LOWER_HEX = '0123456789abcdef';
export const BASE64 = ALNUM + '+/';
export const BASE64URL = ALNUM + '-_';
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random string over `alphabet`; `seed` makes it reproducible. */
export function randomString(alphabet: string, length: number, seed: number): string {
  const next = prng(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(next() * alphabet.length));
  return out;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A GitHub-format token (prefix + 30 random + 6-char base62 CRC-32), valid or deliberately broken. */
export function githubToken(prefix: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr', seed: number, validChecksum = true): string {
  const body = randomString(ALNUM, 30, seed);
  let n = crc32(body);
  let sum = '';
  while (n > 0) {
    sum = BASE62.charAt(n % 62) + sum;
    n = Math.floor(n / 62);
  }
  sum = sum.padStart(6, '0');
  const check = validChecksum ? sum : sum.slice(0, 5) + (sum.endsWith('A') ? 'B' : 'A');
  return `${prefix}_${body}${check}`;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i] as number;
  }
  return chk;
}

/** An age identity ("AGE-SECRET-KEY-1" + 52 data + 6 checksum characters, upper case). */
export function ageSecretKey(seed: number, validChecksum = true): string {
  const hrp = 'age-secret-key-';
  const next = prng(seed);
  const data = Array.from({ length: 52 }, () => Math.floor(next() * 32));
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0, ...[...hrp].map((c) => c.charCodeAt(0) & 31));
  const mod = polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  if (!validChecksum) checksum[5] = ((checksum[5] as number) + 1) % 32;
  return `${hrp}1${[...data, ...checksum].map((d) => BECH32.charAt(d)).join('')}`.toUpperCase();
}

/** base64url without padding, as JWT segments use. */
export function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A structurally valid (unsigned-by-us) JWT with a random signature. */
export function jwt(seed: number, payload: object = { sub: 'user-1', iat: 1700000000 }): string {
  return `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.${randomString(BASE64URL, 43, seed)}`;
}
