/**
 * Where to cut a stream window: how much of the unreleased text is safe to pass on now.
 *
 * Rules, applied together until none moves the cut (each only moves it back, never before
 * the prefix, so this terminates):
 * 1. Not final: at most `unreleased - holdBack` units are released; final: everything.
 * 2. The cut never falls inside a finding (the hull of its spans): released text must never
 *    carry half of an entity (a redaction clipped at the cut would leak the other half), and a
 *    finding is reported in the window that releases its end, exactly once.
 * 3. The cut never falls inside a run of non-whitespace characters, and the end of a non-final
 *    window counts as "more may follow": `alice@exa` is held until `mple.com ` arrives, so an
 *    email, key or token split across chunks is never released half-way, even before any
 *    detector can recognise it. The look-back is bounded by MAX_TOKEN_HOLD units: a longer run
 *    without whitespace (minified code, a 10 KB base64 blob) is cut where rule 1 says, so the
 *    stream never stalls for more than about MAX_TOKEN_HOLD + holdBack units.
 * 4. The cut never splits a surrogate pair.
 */
import type { TextSpan } from '../detectors/types.js';

/** Longest run of non-whitespace held back whole (UTF-16 units); covers emails, keys and most JWTs. */
export const MAX_TOKEN_HOLD = 1024;

const WHITESPACE = /\s/;

function isSpace(content: string, index: number): boolean {
  return WHITESPACE.test(content.charAt(index));
}

function splitsPair(content: string, index: number): boolean {
  if (index <= 0 || index >= content.length) return false;
  const hi = content.charCodeAt(index - 1);
  const lo = content.charCodeAt(index);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

/** Rule 3: back to the start of the non-whitespace run the cut is in, if it is short enough. */
function backToRunStart(content: string, cut: number, prefixLength: number): number {
  if (cut <= prefixLength) return prefixLength;
  const runContinues = cut === content.length || !isSpace(content, cut);
  if (isSpace(content, cut - 1) || !runContinues) return cut;
  const limit = cut - MAX_TOKEN_HOLD;
  for (let i = cut - 1; i >= Math.max(0, limit); i--) {
    if (isSpace(content, i)) return Math.max(prefixLength, i + 1);
  }
  // No whitespace within reach. If the text before us is unknown (we reached index 0) the run
  // may still be short; hold it. Otherwise the run is too long to hold: cut inside it.
  return limit <= 0 ? prefixLength : cut;
}

export interface ReleaseCutInput {
  content: string;
  /** Units of `content` released before (context only). */
  prefixLength: number;
  final: boolean;
  holdBack: number;
  /** Findings' hulls (UTF-16, in `content`) the cut must not fall inside. */
  holdSpans: readonly TextSpan[];
}

/** The cut as an offset into `content` (>= prefixLength): release content[prefixLength, cut). */
export function chooseReleaseCut(input: ReleaseCutInput): number {
  const { content, prefixLength, final, holdSpans } = input;
  if (final) return content.length;
  let cut = Math.max(prefixLength, content.length - Math.max(0, input.holdBack));
  for (;;) {
    let next = cut;
    if (next > prefixLength && splitsPair(content, next)) next -= 1;
    for (const span of holdSpans) {
      if (span.start < next && next < span.end) next = Math.max(prefixLength, span.start);
    }
    next = backToRunStart(content, next, prefixLength);
    if (next === cut) return cut;
    cut = next;
  }
}
