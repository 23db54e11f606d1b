/**
 * Text that remembers where every UTF-16 code unit came from.
 *
 * Each normalisation pass rewrites a {@link MappedBuffer} in place (or appends to it),
 * keeping, for every output code unit k, the half-open range
 * `[srcStart[k], srcEnd[k])` of ORIGINAL code units it was produced from. Both arrays
 * are non-decreasing, so a span of the normalised text maps back to the original by
 * reading the first unit's start and the last unit's end: exact, O(1), and the mapping
 * is monotone by construction.
 */
import type { TextSpan } from '../types.js';

const INITIAL_CAPACITY = 256;

/** A growable UTF-16 buffer with a source range per code unit. */
export class MappedBuffer {
  units: Uint16Array;
  srcStart: Int32Array;
  srcEnd: Int32Array;
  length = 0;

  constructor(capacityHint = INITIAL_CAPACITY) {
    const capacity = Math.max(INITIAL_CAPACITY, capacityHint);
    this.units = new Uint16Array(capacity);
    this.srcStart = new Int32Array(capacity);
    this.srcEnd = new Int32Array(capacity);
  }

  /** Appends one code unit produced from original units [start, end). */
  push(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) this.grow();
    const k = this.length++;
    this.units[k] = unit;
    this.srcStart[k] = start;
    this.srcEnd[k] = end;
  }

  /** Appends every code unit of `s`, all produced from original units [start, end). */
  pushString(s: string, start: number, end: number): void {
    for (let i = 0; i < s.length; i++) this.push(s.charCodeAt(i), start, end);
  }

  /** The buffer's text. */
  toText(): string {
    // TextDecoder turns a Uint16Array into a string in one native call; lone surrogates
    // never reach here (the cleanup pass replaces them), so the 1:1 unit mapping holds.
    return UTF16_DECODER.decode(this.units.subarray(0, this.length));
  }

  private grow(): void {
    const capacity = this.units.length * 2;
    const units = new Uint16Array(capacity);
    units.set(this.units);
    const srcStart = new Int32Array(capacity);
    srcStart.set(this.srcStart);
    const srcEnd = new Int32Array(capacity);
    srcEnd.set(this.srcEnd);
    this.units = units;
    this.srcStart = srcStart;
    this.srcEnd = srcEnd;
  }
}

const UTF16_DECODER = new TextDecoder('utf-16le');

/** Maps a span of a view's text to a span of the original content. */
export type ToOriginal = (start: number, end: number) => TextSpan;

/** The identity mapping, clamped to the original's length. */
export function identityMap(originalLength: number): ToOriginal {
  return (start, end) => {
    const s = clamp(start, 0, originalLength);
    return { start: s, end: clamp(end, s, originalLength) };
  };
}

/** Every span maps to the same original span (used for decoded runs). */
export function constantMap(span: TextSpan): ToOriginal {
  const fixed = { start: span.start, end: span.end };
  return () => ({ start: fixed.start, end: fixed.end });
}

/**
 * The mapping recorded in a buffer. Copies the two offset arrays (trimmed to the
 * buffer's length) so the buffer may be reused or dropped afterwards.
 */
export function bufferMap(buf: MappedBuffer, originalLength: number): ToOriginal {
  const n = buf.length;
  const starts = buf.srcStart.slice(0, n);
  const ends = buf.srcEnd.slice(0, n);
  return (start, end) => {
    if (n === 0) return { start: 0, end: 0 };
    const s = clamp(Math.trunc(start), 0, n);
    const e = clamp(Math.trunc(end), s, n);
    if (s === n) return { start: originalLength, end: originalLength };
    const os = starts[s] as number;
    // An empty span maps to an empty span at the start of the unit it sits before.
    if (e === s) return { start: os, end: os };
    return { start: os, end: ends[e - 1] as number };
  };
}

function clamp(v: number, lo: number, hi: number): number {
  // NaN (a caller bug) clamps to the low end instead of leaking into offsets.
  if (!(v >= lo)) return lo;
  return v > hi ? hi : v;
}
