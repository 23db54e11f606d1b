/**
 * How much of a system prompt a text reproduces, robust to reformatting.
 *
 * Both texts become sequences of normalised words: letters and digits only, lower case, so
 * case, whitespace, markdown, quoting and punctuation do not matter; one- and two-digit
 * numbers are dropped because list numbering is the first thing a model adds or removes.
 * The prompt's word 4-grams ("shingles") are indexed; every 4-gram of the text found in the
 * index covers four prompt words. Shingles made only of boilerplate phrases common to many
 * system prompts ("you are a helpful assistant") never count, and neither do stop words:
 * what is counted is DISTINCTIVE prompt words covered, and the share of the prompt's
 * distinctive words that is.
 *
 * Words are mapped to small integer ids of the prompt's vocabulary and a shingle to one
 * number, so matching a text allocates little beyond its word list.
 */
import type { TextSpan } from '../types.js';

/** Words per shingle: long enough that shared vocabulary rarely forms one, short enough to survive edits. */
export const SHINGLE_WORDS = 4;
/** Vocabulary ids fit 13 bits, so four of them make one exact double (52 bits). */
const MAX_VOCABULARY = 8191;
const ID_BITS = 2 ** 13;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const LIST_NUMBER = /^\d{1,2}$/;

/** English function words: never distinctive on their own. */
const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as into onto about over under ' +
    'is are was were be been being am do does did done have has had having will would shall should can could may might must ' +
    'i me my mine you your yours we us our he him his she her it its they them their this that these those ' +
    'not no nor so too very just only also than such there here what which who whom whose when where why how ' +
    'all any both each few more most other some own same up down out off again further once ' +
    "don't doesn't isn't aren't can't won't shouldn't you're it's i'm"
  ).split(' '),
);

/**
 * Phrases found in countless system prompts and answers: matching them says nothing about a
 * particular prompt. Their shingles are ignored.
 */
const BOILERPLATE_PHRASES: readonly string[] = [
  'you are a helpful assistant',
  'you are a helpful and harmless assistant',
  'you are a helpful ai assistant',
  'you are an ai assistant',
  'you are a friendly and helpful assistant',
  'you are a large language model',
  'you are a helpful respectful and honest assistant',
  'always answer as helpfully as possible while being safe',
  'your answers should not include any harmful unethical racist sexist toxic dangerous or illegal content',
  'please ensure that your responses are socially unbiased and positive in nature',
  'if a question does not make any sense or is not factually coherent explain why instead of answering something not correct',
  "if you don't know the answer to a question please don't share false information",
  "if you don't know the answer say that you don't know",
  "if you don't know the answer just say that you don't know don't try to make up an answer",
  'answer the question based on the context below',
  'use the following pieces of context to answer the question at the end',
  'answer the user questions as helpfully as possible',
  'be concise and helpful',
  'think step by step',
  "let's think step by step",
  'do not make up information',
  'as an ai language model',
  'i am an ai language model',
  'how can i help you today',
  'how can i assist you today',
  'the user is asking',
  'respond in the same language as the user',
];

function normaliseWord(raw: string): string | null {
  const word = raw.toLowerCase().replace('’', "'");
  return LIST_NUMBER.test(word) ? null : word;
}

/** The normalised words of `text`, each with its span in `text`. */
export function wordsWithSpans(text: string): { words: string[]; spans: TextSpan[] } {
  const words: string[] = [];
  const spans: TextSpan[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = normaliseWord(m[0]);
    if (word === null) continue;
    words.push(word);
    spans.push({ start: m.index, end: m.index + m[0].length });
  }
  return { words, spans };
}

function wordsOf(text: string): string[] {
  return wordsWithSpans(text).words;
}

const BOILERPLATE_SHINGLES: ReadonlySet<string> = (() => {
  const set = new Set<string>();
  for (const phrase of BOILERPLATE_PHRASES) {
    const words = wordsOf(phrase);
    for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) set.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  }
  return set;
})();

/** A system prompt, indexed for matching. Immutable; built once per distinct prompt. */
export interface PromptIndex {
  vocabulary: ReadonlyMap<string, number>;
  /** Per prompt word position: its vocabulary id (0 = past the vocabulary limit). */
  wordIds: Int32Array;
  /** Shingle key → the prompt word position where it starts (first occurrence). */
  shingles: ReadonlyMap<number, number>;
  /** Per prompt word: counts as distinctive (not a stop word, and inside at least one non-boilerplate shingle). */
  distinctive: Uint8Array;
  distinctiveCount: number;
}

function shingleKey(ids: ArrayLike<number>, at: number): number {
  let key = 0;
  for (let j = 0; j < SHINGLE_WORDS; j++) key = key * ID_BITS + (ids[at + j] as number);
  return key;
}

/** Indexes a system prompt. */
export function indexPrompt(prompt: string): PromptIndex {
  const words = wordsOf(prompt);
  const vocabulary = new Map<string, number>();
  const ids = new Int32Array(words.length);
  words.forEach((w, i) => {
    let id = vocabulary.get(w);
    if (id === undefined && vocabulary.size < MAX_VOCABULARY) {
      id = vocabulary.size + 1;
      vocabulary.set(w, id);
    }
    ids[i] = id ?? 0;
  });
  const shingles = new Map<number, number>();
  const distinctive = new Uint8Array(words.length);
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) {
    if (ids.subarray(i, i + SHINGLE_WORDS).includes(0)) continue;
    if (BOILERPLATE_SHINGLES.has(words.slice(i, i + SHINGLE_WORDS).join(' '))) continue;
    const key = shingleKey(ids, i);
    if (!shingles.has(key)) shingles.set(key, i);
    for (let j = i; j < i + SHINGLE_WORDS; j++) if (!STOP_WORDS.has(words[j] as string)) distinctive[j] = 1;
  }
  // A word repeated in the prompt counts once: the share is of the prompt's distinct content.
  const distinct = new Set<number>();
  distinctive.forEach((d, i) => {
    if (d === 1) distinct.add(ids[i] as number);
  });
  return { vocabulary, wordIds: ids, shingles, distinctive, distinctiveCount: distinct.size };
}

/** What a text reproduces of an indexed prompt. */
export interface PromptOverlap {
  /** Distinct distinctive prompt words covered by matching shingles. */
  matchedWords: number;
  /** matchedWords / the prompt's distinctive words (0..1). */
  share: number;
  /** Where in the text the reproduced parts are (merged word runs). */
  spans: TextSpan[];
}

/** Word runs closer than this (in UTF-16 units) are reported as one span. */
const SPAN_MERGE_GAP = 24;
const MAX_SPANS = 32;

/** Matches `text` against `index`. Linear in the text's words. */
export function promptOverlap(index: PromptIndex, text: string): PromptOverlap {
  const { words, spans: wordSpans } = wordsWithSpans(text);
  const ids = new Int32Array(words.length);
  words.forEach((w, i) => (ids[i] = index.vocabulary.get(w) ?? 0));
  const coveredText = new Uint8Array(words.length);
  const coveredPrompt = new Set<number>();
  let run = 0;
  for (let i = 0; i < words.length; i++) {
    run = ids[i] === 0 ? 0 : run + 1;
    if (run < SHINGLE_WORDS) continue;
    const start = i - SHINGLE_WORDS + 1;
    const at = index.shingles.get(shingleKey(ids, start));
    if (at === undefined) continue;
    for (let j = 0; j < SHINGLE_WORDS; j++) {
      coveredText[start + j] = 1;
      if (index.distinctive[at + j] === 1) coveredPrompt.add(at + j);
    }
  }
  // A word repeated in the prompt counts once, as in distinctiveCount.
  const matched = new Set<number>();
  for (const p of coveredPrompt) matched.add(index.wordIds[p] as number);
  const matchedWords = matched.size;
  return {
    matchedWords,
    share: index.distinctiveCount === 0 ? 0 : Math.min(1, matchedWords / index.distinctiveCount),
    spans: mergeCovered(coveredText, wordSpans),
  };
}

function mergeCovered(covered: Uint8Array, wordSpans: readonly TextSpan[]): TextSpan[] {
  const out: TextSpan[] = [];
  for (let i = 0; i < covered.length; i++) {
    if (covered[i] !== 1) continue;
    const span = wordSpans[i] as TextSpan;
    const last = out[out.length - 1];
    if (last !== undefined && span.start - last.end <= SPAN_MERGE_GAP) last.end = span.end;
    else out.push({ start: span.start, end: span.end });
  }
  if (out.length <= MAX_SPANS) return out;
  // Keep the count bounded: fold the tail into the last kept span.
  const kept = out.slice(0, MAX_SPANS);
  (kept[MAX_SPANS - 1] as TextSpan).end = (out[out.length - 1] as TextSpan).end;
  return kept;
}
