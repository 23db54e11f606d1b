/**
 * Recovers the spans a guard replaced from its redacted output, for guards that return only
 * redacted text (hai-guardrails' PII and secret guards write "[REDACTED-EMAIL]" and the like).
 *
 * The redacted text is the original with some substrings replaced by placeholders. Walking both
 * texts: the literal text between placeholders must appear in the original in order, so each
 * placeholder covers what lies between the end of the previous literal and the next occurrence
 * of the following literal. When two placeholders touch, the boundary between them is unknown
 * and both get the combined span (counted as one span of the first type): rare, and it errs
 * against the guard only in exact matching.
 */
import type { PeerSpan } from './peer-adapter.js';

/** Placeholder pattern → span type; `type` receives the placeholder's captured name. */
export interface PlaceholderSyntax {
  /** A global pattern whose group 1 names the placeholder. */
  pattern: RegExp;
  type: (name: string) => string;
}

/** Spans (UTF-16) of `original` that became placeholders in `redacted`; [] when they do not align. */
export function spansFromRedaction(original: string, redacted: string, syntax: PlaceholderSyntax): PeerSpan[] {
  if (original === redacted) return [];
  const parts: Array<{ literal: string; name: string | null }> = [];
  const re = syntax.pattern;
  if (!re.global) throw new Error('placeholder pattern must be global');
  re.lastIndex = 0;
  let last = 0;
  for (let m = re.exec(redacted); m !== null; m = re.exec(redacted)) {
    parts.push({ literal: redacted.slice(last, m.index), name: m[1] ?? m[0] });
    last = m.index + m[0].length;
  }
  parts.push({ literal: redacted.slice(last), name: null });

  const spans: PeerSpan[] = [];
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!original.startsWith(part.literal, pos)) return [];
    pos += part.literal.length;
    if (part.name === null) break;
    // Merge placeholders that touch: their boundary cannot be recovered.
    let j = i;
    while (j + 1 < parts.length && parts[j + 1]!.literal === '' && parts[j + 1]!.name !== null) j++;
    const following = parts[j + 1]!;
    const end = following.name === null && following.literal === '' ? original.length : original.indexOf(following.literal, pos + 1);
    if (end < 0) return [];
    spans.push({ type: syntax.type(part.name), start: pos, end });
    pos = end;
    i = j;
  }
  return spans;
}
