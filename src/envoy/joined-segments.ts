/**
 * Several string values of one body scanned as ONE text (one pool task, and an attack split
 * over two messages is still seen whole), then the redacted text split back per value.
 *
 * The separator is a blank line around U+2029 PARAGRAPH SEPARATOR: whitespace to every
 * detector (no entity spans it), and no redaction operator produces it. Splitting is checked:
 * if the redacted text does not split into exactly as many parts (a value contained the
 * separator, or a redaction spanned it), the caller must fall back to scanning the values one
 * by one.
 */

export const SEGMENT_SEPARATOR = '\n\u2029\n';

export function joinSegments(texts: readonly string[]): string {
  return texts.join(SEGMENT_SEPARATOR);
}

/** The per-value texts of a redacted joined text, or undefined when it does not split cleanly. */
export function splitJoined(joined: string, count: number): string[] | undefined {
  const parts = joined.split(SEGMENT_SEPARATOR);
  return parts.length === count ? parts : undefined;
}

/** True when a value contains the separator itself (then the joined scan cannot be split back). */
export function containsSeparator(texts: readonly string[]): boolean {
  return texts.some((t) => t.includes(SEGMENT_SEPARATOR));
}
