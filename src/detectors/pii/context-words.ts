/**
 * Presidio-style context enhancement: a weak pattern ("nine digits") becomes a likely
 * entity when a telling word ("ssn", "passport") is near it.
 *
 * The window is a few words before the match and one after. Presidio looks only before
 * by default; we also look one word after because forms and signatures often put the
 * label last ("555 0100 (mobile)", "020 7946 0000 office"). More than one word after
 * starts picking up the next sentence's subject. Only letter words count:
 * digits and punctuation between a label and a list of values do not push the label
 * out of the window.
 */

/** How many letter words before the match are searched. */
export const CONTEXT_WORDS_BEFORE = 5;
/** How many letter words after the match are searched. */
export const CONTEXT_WORDS_AFTER = 1;
/** Bounds the scan so a long run of non-words cannot make context lookup expensive. */
const MAX_CHARS_BEFORE = 120;
const MAX_CHARS_AFTER = 60;

/** Context terms prepared for matching: each term is one or more lower-case words. */
export interface CompiledContext {
  readonly terms: readonly (readonly string[])[];
}

/**
 * Prepares context terms. A single-word term of four or more letters also matches words
 * it begins ("phone" matches "phones", "license" matches "licenses"); shorter terms
 * ("ssn", "cc", "ip") match whole words only so they do not fire inside other words.
 */
export function compileContext(terms: readonly string[]): CompiledContext {
  return { terms: terms.map((t) => t.toLowerCase().split(/\s+/).filter((w) => w.length > 0)) };
}

/** The letter words around a match, lower-cased, in text order. */
export interface ContextWindow {
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Computes the window once; several readings of the same span can share it. */
export function contextWindow(text: string, start: number, end: number): ContextWindow {
  return { before: wordsBefore(text, start), after: wordsAfter(text, end, CONTEXT_WORDS_AFTER) };
}

/** True when one of the context's terms is in the window. */
export function windowHas(window: ContextWindow, context: CompiledContext): boolean {
  for (const term of context.terms) {
    // Searched separately so a multi-word term never spans the match itself.
    if (containsTerm(window.before, term) || containsTerm(window.after, term)) return true;
  }
  return false;
}

/** True when one of the context's terms is within the window around [start, end). */
export function hasContext(text: string, start: number, end: number, context: CompiledContext): boolean {
  return windowHas(contextWindow(text, start, end), context);
}

/**
 * True when one of the terms is among the first `maxWords` letter words after `end`.
 * Used for negative evidence, e.g. a street name right after a phone-shaped number.
 */
export function followedBy(text: string, end: number, context: CompiledContext, maxWords: number): boolean {
  const after = wordsAfter(text, end, maxWords);
  return context.terms.some((term) => containsTerm(after, term));
}

/** True when one of the terms is among the last `maxWords` letter words before `start`. */
export function precededBy(text: string, start: number, context: CompiledContext, maxWords: number): boolean {
  const before = wordsBefore(text, start).slice(-maxWords);
  return context.terms.some((term) => containsTerm(before, term));
}

function containsTerm(words: readonly string[], term: readonly string[]): boolean {
  const n = term.length;
  for (let i = 0; i + n <= words.length; i++) {
    let ok = true;
    for (let j = 0; j < n; j++) {
      if (!wordMatches(words[i + j] as string, term[j] as string, n === 1)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

function wordMatches(word: string, termWord: string, allowPrefix: boolean): boolean {
  if (word === termWord) return true;
  return allowPrefix && termWord.length >= 4 && word.startsWith(termWord);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    code === 39 || // apostrophe keeps "driver's" one word
    code === 0x2019 ||
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) // Latin-1 and Latin Extended letters
  );
}

/**
 * Letter words before `pos`, in text order, lower-cased, apostrophes removed. Letters glued
 * to a digit ("1st", "3rd", "10am") are a suffix of the number, not a word, and are skipped.
 */
function wordsBefore(text: string, pos: number): string[] {
  const words: string[] = [];
  const limit = Math.max(0, pos - MAX_CHARS_BEFORE);
  let i = pos - 1;
  while (i >= limit && words.length < CONTEXT_WORDS_BEFORE) {
    while (i >= limit && !isWordChar(text.charCodeAt(i))) i--;
    if (i < limit) break;
    const wordEnd = i + 1;
    while (i >= limit && isWordChar(text.charCodeAt(i))) i--;
    if (!isDigit(text.charCodeAt(i))) words.push(normalizeWord(text.slice(i + 1, wordEnd)));
  }
  return words.reverse();
}

/** Letter words after `pos`, in text order. */
function wordsAfter(text: string, pos: number, maxWords: number): string[] {
  const words: string[] = [];
  const limit = Math.min(text.length, pos + MAX_CHARS_AFTER);
  let i = pos;
  while (i < limit && words.length < maxWords) {
    while (i < limit && !isWordChar(text.charCodeAt(i))) i++;
    if (i >= limit) break;
    const wordStart = i;
    while (i < limit && isWordChar(text.charCodeAt(i))) i++;
    if (!isDigit(text.charCodeAt(wordStart - 1))) words.push(normalizeWord(text.slice(wordStart, i)));
  }
  return words;
}

function normalizeWord(word: string): string {
  const lower = word.toLowerCase();
  if (!lower.includes("'") && !lower.includes('\u2019')) return lower;
  // "driver's" and "drivers" should both match "driver"; a trailing "'s" is dropped.
  return lower.replace(/['\u2019]s$/, '').replace(/['\u2019]/g, '');
}
