/**
 * The identity of a text for feedback: a SHA-256 of its normalised form, so a reported text
 * still matches when it comes back with different case, Unicode compatibility forms (full-width
 * letters, ligatures) or whitespace. Only the hash is ever kept (scan-id memory, overlay,
 * export), never the text.
 *
 * Cheap on purpose (it runs for every unary scan the sidecar remembers): NFKC, lower case, each
 * run of whitespace to one space, trimmed. Not the detectors' normaliser: feedback names a
 * text, it does not look for hidden instructions in it.
 */
import { createHash } from 'node:crypto';

/** A run of 2+ whitespace characters, or one whitespace character other than a plain space. */
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

export function normalizeForFeedback(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
}

/** Hex SHA-256 of the normalised text. */
export function feedbackHash(text: string): string {
  return createHash('sha256').update(normalizeForFeedback(text)).digest('hex');
}
