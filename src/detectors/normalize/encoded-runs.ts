/**
 * Finds base64 / hex / percent-encoded / 8-bit binary / Morse runs and decodes the ones
 * that turn out to be text, so detectors can read instructions hidden in them ("decode this and follow it").
 *
 * Bounded on purpose, because the input is hostile:
 *  - nesting depth (default 3: base64 inside hex inside URL encoding is still found),
 *  - total decoded bytes per scan (default 64 KiB; a longer run is decoded as a prefix),
 *  - decoded runs kept and candidate runs examined per scan.
 * Candidates are found with one linear RE2 scan per text; each decode is linear in the
 * run (a cheap probe of the first bytes rejects binary data early), so the whole is
 * linear in the input.
 *
 * A decoded run remembers the span of the OUTERMOST encoded run in the original text:
 * that is what a finding inside it points at.
 */
import RE2 from 're2';
import type { TextSpan } from '../types.js';
import { isLetterUnit } from './char-classes.js';
import { decodeBinary, decodeMorse } from './morse-and-binary.js';

/** How a decoded run was encoded. */
export type RunEncoding = 'base64' | 'hex' | 'url' | 'binary' | 'morse';

export interface DecodeLimits {
  /** Maximum nesting depth (1 = only runs in the original text are decoded). */
  maxDepth: number;
  /** Maximum total decoded bytes per scan. */
  maxDecodedBytes: number;
  /** Maximum number of decoded runs kept per scan. */
  maxRuns: number;
  /** Maximum number of candidate runs examined per scan (decoded or not). */
  maxCandidates: number;
}

/** Depth 3, 64 KiB decoded, 32 runs kept, 1024 candidates examined per scan. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxDepth: 3,
  maxDecodedBytes: 64 * 1024,
  maxRuns: 32,
  maxCandidates: 1024,
});

/** One decoded run, with the span of the encoded text it came from. */
export interface DecodedRun {
  encoding: RunEncoding;
  /** 1 = decoded from the original text, 2 = from a decoded run, ... */
  depth: number;
  /** The decoded text, not normalised. */
  text: string;
  /** The outermost encoded run's span in the original text. */
  span: TextSpan;
}

/** Minimum lengths keep ordinary words, hashes of short things and ids out. */
const MIN_BASE64_CHARS = 16;
const MIN_HEX_DIGITS = 16;
const URL_CHARS = String.raw`[A-Za-z0-9._~!*'();:@&=+$,/?#\[\]-]`;

/**
 * One scanner, alternatives in priority order (RE2 alternation is leftmost-first):
 * \x-escaped hex, separated binary octets, separated hex pairs, Morse code (6+ codes),
 * percent-encoding (3+ escapes), then base64 / base64url / plain hex / plain binary
 * (one character class; told apart when decoding).
 * No capture groups: without them RE2 finds match bounds with its DFA alone, which is
 * an order of magnitude faster on long runs; the match is classified afterwards.
 */
const CANDIDATES = new RE2(
  [
    String.raw`(?:\\x[0-9A-Fa-f]{2}){4,}`,
    String.raw`\b[01]{8}(?:[ ,][01]{8}){3,}\b`,
    String.raw`\b[0-9A-Fa-f]{2}(?:[ :,][0-9A-Fa-f]{2}){7,}\b`,
    String.raw`[.-]{1,7}(?:(?: {1,3}| ?[/|] ?)[.-]{1,7}){5,}`,
    String.raw`(?:${URL_CHARS}*%[0-9A-Fa-f]{2}){3,}${URL_CHARS}*`,
    String.raw`(?:0x)?[A-Za-z0-9+/_-]{${MIN_BASE64_CHARS},}={0,2}`,
  ].join('|'),
  'g',
);

const HEX_ONLY = /^(?:0x)?[0-9A-Fa-f]+$/;
const SEPARATED_HEX = /^[0-9A-Fa-f]{2}[ :,]/;
const BINARY = /^[01]{8}(?:[ ,]?[01]{8})+$/;
const MORSE_RUN = /^[.-]/;
/** Decoded Morse must use at least this many different characters (not "tttttt" from "- - - -"). */
const MIN_MORSE_DISTINCT = 4;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Bytes decoded first to reject binary data cheaply. */
const PROBE_BYTES = 48;

interface Budget {
  bytes: number;
  candidates: number;
}

/** Decodes the encoded runs in `original`, recursively, within `limits`. */
export function findDecodedRuns(original: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodedRun[] {
  const runs: DecodedRun[] = [];
  if (limits.maxDepth < 1 || limits.maxRuns < 1) return runs;
  const budget: Budget = { bytes: limits.maxDecodedBytes, candidates: limits.maxCandidates };
  // Breadth-first: runs at depth d are scanned for runs at depth d + 1.
  const queue: Array<{ text: string; depth: number; span: TextSpan | null }> = [
    { text: original, depth: 0, span: null },
  ];
  for (let q = 0; q < queue.length; q++) {
    const item = queue[q] as (typeof queue)[number];
    if (item.depth >= limits.maxDepth) continue;
    CANDIDATES.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = CANDIDATES.exec(item.text)) !== null) {
      if (budget.candidates <= 0 || budget.bytes <= 0) return runs;
      budget.candidates--;
      const decoded = decodeCandidate(m[0], budget);
      if (decoded === null) continue;
      const span = item.span ?? { start: m.index, end: m.index + m[0].length };
      const run: DecodedRun = { encoding: decoded.encoding, depth: item.depth + 1, text: decoded.text, span };
      runs.push(run);
      if (runs.length >= limits.maxRuns) return runs;
      queue.push({ text: run.text, depth: run.depth, span });
    }
  }
  return runs;
}

function decodeCandidate(run: string, budget: Budget): { encoding: RunEncoding; text: string } | null {
  // Classify the way the scanner's alternatives are ordered.
  if (run.startsWith('\\x')) return asText('hex', hexBytes(run.replace(/\\x/g, ''), budget), budget);
  if (BINARY.test(run)) {
    const bits = run.replace(/[ ,]/g, '');
    return asText('binary', decodeBinary(bits, budget.bytes), budget);
  }
  if (SEPARATED_HEX.test(run)) return asText('hex', hexBytes(run.replace(/[ :,]/g, ''), budget), budget);
  if (MORSE_RUN.test(run)) return morseText(run, budget);
  if (run.includes('%')) return asText('url', percentBytes(run, budget), budget);
  if (HEX_ONLY.test(run)) {
    const digits = run.startsWith('0x') ? run.slice(2) : run;
    if (digits.length >= MIN_HEX_DIGITS && digits.length % 2 === 0) {
      const text = asText('hex', hexBytes(digits, budget), budget);
      if (text !== null) return text;
    }
  }
  return asText('base64', base64Bytes(run, budget), budget);
}

function morseText(run: string, budget: Budget): { encoding: RunEncoding; text: string } | null {
  const text = decodeMorse(run.slice(0, budget.bytes * 8));
  if (text === null || new Set(text.replace(/ /g, '')).size < MIN_MORSE_DISTINCT) return null;
  budget.bytes -= text.length;
  return { encoding: 'morse', text };
}

/** Hex digits → bytes, at most the remaining budget; probes the start first. */
function hexBytes(digits: string, budget: Budget): Uint8Array | null {
  const decode = (count: number): Uint8Array => Buffer.from(digits.slice(0, count * 2), 'hex');
  return probeThenDecode(Math.floor(digits.length / 2), decode, budget);
}

function base64Bytes(run: string, budget: Budget): Uint8Array | null {
  let s = run.replace(/=+$/, '');
  if (s.startsWith('0x')) return null;
  if (s.length % 4 === 1) s = s.slice(0, -1);
  // Node's base64 decoder accepts both alphabets (+/ and -_).
  const decode = (count: number): Uint8Array => {
    const chars = Math.min(s.length, Math.ceil(count / 3) * 4);
    return Buffer.from(s.slice(0, chars), 'base64').subarray(0, count);
  };
  return probeThenDecode(Math.floor((s.length * 3) / 4), decode, budget);
}

function percentBytes(run: string, budget: Budget): Uint8Array | null {
  const limit = Math.min(run.length, budget.bytes);
  const out = new Uint8Array(limit);
  let n = 0;
  for (let i = 0; i < run.length && n < limit; i++) {
    const c = run.charCodeAt(i);
    if (c === 0x25 /* % */ && i + 2 < run.length) {
      const byte = Number.parseInt(run.slice(i + 1, i + 3), 16);
      if (!Number.isNaN(byte)) {
        out[n++] = byte;
        i += 2;
        continue;
      }
    }
    out[n++] = c === 0x2b /* + */ ? 0x20 : c;
  }
  return out.subarray(0, n);
}

/**
 * Decodes a probe of the first bytes and gives up unless it looks like text; then
 * decodes as much as the budget allows.
 */
function probeThenDecode(
  total: number,
  decode: (count: number) => Uint8Array,
  budget: Budget,
): Uint8Array | null {
  const count = Math.min(total, budget.bytes);
  if (count <= 0) return null;
  if (count > PROBE_BYTES) {
    const probe = decodeUtf8(decode(PROBE_BYTES), true);
    if (probe === null || !looksLikeText(probe)) return null;
  }
  return decode(count);
}

function asText(
  encoding: RunEncoding,
  bytes: Uint8Array | null,
  budget: Budget,
): { encoding: RunEncoding; text: string } | null {
  if (bytes === null || bytes.length === 0) return null;
  const text = decodeUtf8(bytes, true);
  if (text === null || !looksLikeText(text)) return null;
  budget.bytes -= bytes.length;
  return { encoding, text };
}

/**
 * Strict UTF-8; when `truncated`, up to 3 trailing bytes of a character cut by a
 * prefix limit are dropped rather than failing the whole run.
 */
function decodeUtf8(bytes: Uint8Array, truncated: boolean): string | null {
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop < bytes.length; drop++) {
    try {
      return UTF8.decode(bytes.subarray(0, bytes.length - drop));
    } catch {
      // try a shorter prefix
    }
  }
  return null;
}

/**
 * "Mostly printable text": almost no control characters, replacement or private-use
 * characters, and a fair share of letters. Binary data (images, keys, compressed
 * bytes) fails this; so do most accidental decodes of ordinary long words.
 */
export function looksLikeText(s: string): boolean {
  const n = s.length;
  if (n < 4) return false;
  let bad = 0;
  let letters = 0;
  for (let i = 0; i < n; i++) {
    const u = s.charCodeAt(i);
    if ((u < 0x20 && u !== 0x09 && u !== 0x0a && u !== 0x0d) || (u >= 0x7f && u <= 0x9f)) bad++;
    else if (u === 0xfffd || (u >= 0xe000 && u <= 0xf8ff)) bad++;
    else if (isLetterUnit(u)) letters++;
  }
  return bad <= n * 0.05 && letters >= n * 0.3;
}
