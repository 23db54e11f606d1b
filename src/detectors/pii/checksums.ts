/**
 * Check-digit algorithms that turn "looks like a number of that kind" into "is one".
 * Each takes the compact value (separators already removed) and never throws.
 */
import { createHash } from 'node:crypto';
import { keccak256 } from './keccak256.js';

/** Luhn (mod 10) check used by payment cards. `digits` must be ASCII digits only. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, mod 97 = 1. */
export function ibanMod97Valid(compact: string): boolean {
  if (compact.length < 5) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      rem = (rem * 10 + (c - 48)) % 97;
    } else {
      const upper = c >= 97 && c <= 122 ? c - 32 : c;
      if (upper < 65 || upper > 90) return false;
      rem = (rem * 100 + (upper - 55)) % 97;
    }
  }
  return rem === 1;
}

/** NHS number: ten digits, weights 10..2 over the first nine, check = 11 - (sum mod 11); 10 is invalid. */
export function nhsMod11Valid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === digits.charCodeAt(9) - 48;
}

/**
 * US DEA registration number check (two letters, seven digits):
 * (d1 + d3 + d5) + 2 * (d2 + d4 + d6) ends in d7.
 */
export function deaNumberValid(digits: string): boolean {
  if (!/^\d{7}$/.test(digits)) return false;
  const d = (i: number): number => digits.charCodeAt(i) - 48;
  const sum = d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5));
  return sum % 10 === d(6);
}

const TFN_WEIGHTS_9 = [1, 4, 3, 7, 5, 8, 6, 9, 10];
const TFN_WEIGHTS_8 = [10, 7, 8, 4, 6, 3, 5, 1];

/** Australian Tax File Number: weighted sum (8 or 9 digits) divisible by 11. */
export function auTfnValid(digits: string): boolean {
  const weights = digits.length === 9 ? TFN_WEIGHTS_9 : digits.length === 8 ? TFN_WEIGHTS_8 : null;
  if (!weights || !/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += (digits.charCodeAt(i) - 48) * (weights[i] as number);
  return sum % 11 === 0;
}

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_INDEX: Int8Array = (() => {
  const idx = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE58_ALPHABET.length; i++) idx[BASE58_ALPHABET.charCodeAt(i)] = i;
  return idx;
})();

/** Decodes base58 (Bitcoin alphabet) into bytes; null on a character outside the alphabet. */
export function base58Decode(s: string): Uint8Array | null {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (BASE58_INDEX[c] as number) : -1;
    if (v < 0) return null;
    let carry = v;
    for (let j = 0; j < bytes.length; j++) {
      carry += (bytes[j] as number) * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  // Each leading '1' encodes one leading zero byte.
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

/**
 * Base58Check: payload followed by the first four bytes of SHA-256(SHA-256(payload)).
 * Returns the payload (version byte first) or null when the checksum fails.
 */
export function base58CheckDecode(s: string): Uint8Array | null {
  const raw = base58Decode(s);
  if (!raw || raw.length < 5) return null;
  const payload = raw.subarray(0, raw.length - 4);
  const first = createHash('sha256').update(payload).digest();
  const second = createHash('sha256').update(first).digest();
  for (let i = 0; i < 4; i++) {
    if (second[i] !== raw[raw.length - 4 + i]) return null;
  }
  return payload;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** BIP-173 (bech32) and BIP-350 (bech32m) checksum constants. */
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;

function bech32Polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk = (chk ^ (BECH32_GENERATORS[i] as number)) >>> 0;
    }
  }
  return chk;
}

export interface Bech32Decoded {
  hrp: string;
  /** 5-bit groups without the six checksum groups. */
  data: number[];
  encoding: 'bech32' | 'bech32m';
}

/** Decodes and checksum-verifies a bech32/bech32m string; null if invalid or mixed case. */
export function bech32Decode(s: string): Bech32Decoded | null {
  if (s.length < 8 || s.length > 90) return null;
  const lower = s.toLowerCase();
  if (s !== lower && s !== s.toUpperCase()) return null;
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) return null;
  const hrp = lower.slice(0, sep);
  const values: number[] = [];
  for (let i = 0; i < hrp.length; i++) values.push(hrp.charCodeAt(i) >> 5);
  values.push(0);
  for (let i = 0; i < hrp.length; i++) values.push(hrp.charCodeAt(i) & 31);
  const data: number[] = [];
  for (let i = sep + 1; i < lower.length; i++) {
    const v = BECH32_CHARSET.indexOf(lower[i] as string);
    if (v < 0) return null;
    data.push(v);
  }
  const check = bech32Polymod(values.concat(data));
  const encoding = check === BECH32_CONST ? 'bech32' : check === BECH32M_CONST ? 'bech32m' : null;
  if (!encoding) return null;
  return { hrp, data: data.slice(0, -6), encoding };
}

/**
 * A SegWit address (BIP-173/350): witness version 0 uses bech32 with a 20- or 32-byte
 * program; versions 1..16 use bech32m with 2..40 bytes.
 */
export function segwitAddressValid(s: string, hrps: readonly string[]): boolean {
  const dec = bech32Decode(s);
  if (!dec || !hrps.includes(dec.hrp) || dec.data.length < 1) return false;
  const version = dec.data[0] as number;
  if (version > 16) return false;
  const program = convertBits(dec.data.slice(1), 5, 8);
  if (!program || program.length < 2 || program.length > 40) return false;
  if (version === 0) return dec.encoding === 'bech32' && (program.length === 20 || program.length === 32);
  return dec.encoding === 'bech32m';
}

/** Regroups bits (5 → 8) without padding; null when the leftover bits are not zero padding. */
function convertBits(data: readonly number[], from: number, to: number): number[] | null {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) return null;
  return out;
}

/**
 * EIP-55 mixed-case checksum of an Ethereum address (40 hex characters, no "0x"):
 * a letter is upper case exactly when the matching nibble of keccak256(lower-case hex) is >= 8.
 */
export function eip55Valid(hex40: string): boolean {
  if (!/^[0-9a-fA-F]{40}$/.test(hex40)) return false;
  const lower = hex40.toLowerCase();
  const hash = keccak256(Buffer.from(lower, 'ascii'));
  for (let i = 0; i < 40; i++) {
    const c = hex40.charCodeAt(i);
    if (c < 65) continue; // digits carry no case
    const byte = hash[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    const isUpper = c <= 70;
    if (isUpper !== nibble >= 8) return false;
  }
  return true;
}
