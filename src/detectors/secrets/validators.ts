/**
 * Structural checks some secret formats allow beyond their pattern. A rule names one in its
 * `validate` field. Each returns:
 * - 'valid'     — the structure proves the format (a checksum matches): confidence goes to 1.0
 *                 and the placeholder filter is skipped;
 * - 'plausible' — nothing to prove or disprove: the rule's confidence stands;
 * - 'invalid'   — the value cannot be this kind of secret (a checksum fails, a JWT header is not
 *                 JSON): the candidate is dropped. Real tokens always carry a valid checksum, so a
 *                 failing one is a made-up example, not a leak.
 */

export type ValidationResult = 'valid' | 'plausible' | 'invalid';
import { shannonEntropy } from './entropy.js';

export type ValidatorName = 'github-checksum' | 'bech32' | 'jwt' | 'basic-auth' | 'base64-pem' | 'pem-body' | 'atlassian-pat';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(ascii: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) {
    crc = (CRC_TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  while (rest > 0) {
    out = BASE62.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's current token formats (ghp_, gho_, ghu_, ghs_, ghr_ + 36 characters) end with a
 * 6-character base62 CRC-32 of the 30 characters before it.
 */
function githubChecksum(token: string): ValidationResult {
  const body = token.slice(token.indexOf('_') + 1);
  if (body.length !== 36) return 'plausible';
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30) ? 'valid' : 'invalid';
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= BECH32_GENERATOR[i] as number;
    }
  }
  return chk;
}

/** Bech32 (BIP-173) checksum, as used by age identities ("AGE-SECRET-KEY-1..."). */
function bech32(value: string): ValidationResult {
  const lower = value.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) return 'invalid';
  const hrp = lower.slice(0, sep);
  const data: number[] = [];
  for (const ch of lower.slice(sep + 1)) {
    const v = BECH32_CHARSET.indexOf(ch);
    if (v < 0) return 'invalid';
    data.push(v);
  }
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5);
  expanded.push(0, ...[...hrp].map((c) => c.charCodeAt(0) & 31));
  return bech32Polymod([...expanded, ...data]) === 1 ? 'valid' : 'invalid';
}

function decodeBase64(text: string): string | null {
  const clean = text.replace(/\\n|\\r|\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  return Buffer.from(clean, 'base64').toString('latin1');
}

/** A JWT's first segment must decode to a JSON object header naming its algorithm or type. */
function jwtHeader(token: string): ValidationResult {
  const header = decodeBase64(token.slice(0, token.indexOf('.')));
  return header !== null && /^\s*\{/.test(header) && /"(?:alg|typ|kid|enc)"\s*:/.test(header) ? 'plausible' : 'invalid';
}

/** A Basic credential must decode to printable "user:password". */
function basicAuth(value: string): ValidationResult {
  const decoded = decodeBase64(value);
  if (decoded === null) return 'invalid';
  return /^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded) ? 'plausible' : 'invalid';
}

/**
 * Key material is random base64: 64+ characters of it score well above 5 bits per character.
 * Typed-in filler ("asdfjkl...") in a made-up key block scores about 4.4. Shorter bodies
 * (truncated or elided keys) are not judged.
 */
const PEM_BODY_MIN_LENGTH = 64;
const PEM_BODY_MIN_ENTROPY = 4.8;

/** The base64 body of a PEM block: its lines without armour, "Name: value" headers and quoting. */
function pemBody(pem: string): string {
  return pem
    .split(/\\[rn]|[\r\n]/)
    .filter((line) => !line.includes('-----') && !line.includes(':'))
    .join('')
    .replace(/[^A-Za-z0-9+/=]/g, '');
}

/** A PEM private-key block whose body is not made-up filler. */
function pemBodyCheck(pem: string): ValidationResult {
  const body = pemBody(pem);
  return body.length < PEM_BODY_MIN_LENGTH || shannonEntropy(body) >= PEM_BODY_MIN_ENTROPY ? 'plausible' : 'invalid';
}

/** Base64 that decodes to a PEM private-key header (and a key body, when there is one). */
function base64Pem(value: string): ValidationResult {
  const decoded = decodeBase64(value.slice(0, 4000));
  if (decoded === null || !/-----BEGIN [A-Z0-9 ]*PRIVATE/.test(decoded)) return 'invalid';
  return pemBodyCheck(decoded);
}

/** Atlassian Data Center PATs are base64 of "<12-digit id>:<20 random bytes>". */
function atlassianPat(value: string): ValidationResult {
  const decoded = decodeBase64(value);
  return decoded !== null && decoded.length === 33 && /^\d{12}:/.test(decoded) ? 'plausible' : 'invalid';
}

const VALIDATORS: Record<ValidatorName, (value: string) => ValidationResult> = {
  'github-checksum': githubChecksum,
  bech32,
  jwt: jwtHeader,
  'basic-auth': basicAuth,
  'base64-pem': base64Pem,
  'pem-body': pemBodyCheck,
  'atlassian-pat': atlassianPat,
};

export function isValidatorName(name: string): name is ValidatorName {
  return Object.hasOwn(VALIDATORS, name);
}

/** Runs the named structural check on a secret value. */
export function validateSecret(name: ValidatorName, value: string): ValidationResult {
  return VALIDATORS[name](value);
}
