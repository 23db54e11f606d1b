/**
 * Hand-made structural cues of prompt injection that hashed n-grams see poorly: chat-template
 * role tags, how much of the text is imperative, second-person address, delimited blocks, an
 * instruction appearing suddenly inside a document, and obfuscation signals that do not depend
 * on the language (invisible characters, mixed scripts inside a word, spaced-out letters,
 * encoded runs, heavy repetition). Every value is in [0, 1].
 *
 * Computed on one window of NFKC text with its case preserved. Only literal regexes are used.
 */

/** Names of the structural features, in index order (written into the model card). */
export const STRUCTURAL_FEATURE_NAMES = [
  'role_tag',
  'role_tag_count',
  'imperative_sentence_ratio',
  'instruction_after_content',
  'second_person_rate',
  'override_cue',
  'delimited_blocks',
  'quote_density',
  'document_like',
  'document_with_instruction',
  'upper_case_ratio',
  'mixed_script_words',
  'invisible_chars',
  'encoded_run',
  'repetition',
  'spaced_letters',
  'digit_letter_mix',
  'dialogue_turns',
  'length',
] as const;

export const STRUCTURAL_FEATURE_COUNT = STRUCTURAL_FEATURE_NAMES.length;

const ROLE_TAG =
  /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|assistant|user)>|^[ \t]*(?:#+[ \t]*)?(?:system|assistant|developer|user|human)[ \t]*:/gim;
const DIALOGUE_TURN = /^[ \t]*(?:q|a|user|assistant|human|ai|bot|question|answer)[ \t]*:/gim;
const SENTENCE_SPLIT = /[.!?。！？।\n]+/u;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’]*/gu;
/** Words addressing the reader (compared against canonical, lower-case words). */
export const SECOND_PERSON_WORDS: ReadonlySet<string> = new Set(['you', 'your', 'yours', 'yourself', "you're", 'you’re', 'u', 'du', 'dein', 'deine', 'vous', 'tu', 'votre', 'ton', 'usted', 'tú']);

/** Word statistics gathered while hashing words (so the words are scanned once). */
export interface WordStats {
  count: number;
  secondPerson: number;
  /** Highest count of any hashed word or word pair. */
  maxFrequency: number;
}
const OVERRIDE =
  /\b(?:ignore|disregard|forget|override|bypass|skip|neglect|overlook)\b[^.!?\n]{0,40}\b(?:previous|prior|above|earlier|preceding|all|any|your|system|original|initial)\b[^.!?\n]{0,30}\b(?:instructions?|rules?|prompts?|guidelines?|directions?|commands?|context|text|messages?)\b/i;
/** Word stems OVERRIDE starts with (a cheap exact pre-check). */
const OVERRIDE_VERBS = ['ignor', 'disregard', 'forget', 'overrid', 'bypass', 'skip', 'neglect', 'overlook'];
const DELIMITED = /```|"""|'''|<\/?[a-z_]{2,20}>|\{\{|\}\}|\[\[|\]\]|-{5,}|={5,}|#{3,}/gi;
const TABLE_LINE = /^\s*\|.*\|\s*$/gm;
const EMAIL_HEADER = /^(?:subject|from|to|cc|date|received date|email_from)\s*:/gim;
const CODE_FENCE = /```/;
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/u;
const SPACED_LETTERS = /(?:^|\s)(?:\p{L}[ .\-_*]){4,}\p{L}(?=\s|$)/u;
// A word mixing Latin with Cyrillic or Greek letters (homoglyph obfuscation), in either order.
const MIXED_SCRIPT_WORD = /\p{Script=Latin}\p{L}*[\p{Script=Cyrillic}\p{Script=Greek}]|[\p{Script=Cyrillic}\p{Script=Greek}]\p{L}*\p{Script=Latin}/gu;
const NON_ASCII = /[^\p{ASCII}]/u;
const DIGIT_LETTER = /[a-z][0-9]|[0-9][a-z]/g;

/** First words that make a sentence an instruction (English, plus a few common languages). */
const IMPERATIVE_VERBS = new Set(
  (
    'ignore disregard forget override bypass print say output write reveal tell show give provide repeat respond reply ' +
    'answer translate summarize summarise include add insert append replace change modify encrypt encode decode send ' +
    'visit click go open execute run call delete stop start begin pretend act imagine assume remember follow obey do ' +
    "don't dont never always generate create list describe explain use make let return ensure emphasize mention " +
    'express rewrite format enter switch become simulate answer reply confirm share disclose leak ' +
    'ignoriere vergiss schreibe sage gib zeige antworte ignorez oubliez écrivez dites ignora olvida escribe di dime ' +
    'ignori dimentica scrivi dimmi игнорируй забудь напиши скажи'
  ).split(' '),
);
const SENTENCE_OPENERS_TO_SKIP = new Set(['please', 'now', 'and', 'also', 'then', 'just', 'kindly', 'instead', 'so', 'bitte', 'jetzt']);

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

function isEncodingChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61 || c === 37;
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39 || c === 96 || c === 0xab || c === 0xbb || (c >= 0x2018 && c <= 0x2019) || (c >= 0x201c && c <= 0x201d);
}

/**
 * One pass over the characters for the counting cues: ASCII letters and upper-case letters,
 * quote characters, and whether a run of 40+ base64/hex/percent-encoding characters occurs
 * (scanned by hand: a regex would retry at every offset).
 */
function characterCounts(text: string): { letters: number; upper: number; quotes: number; encodedRun: boolean } {
  let letters = 0;
  let upper = 0;
  let quotes = 0;
  let run = 0;
  let encodedRun = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
    else if (isQuote(c)) quotes++;
    run = isEncodingChar(c) ? run + 1 : 0;
    if (run >= 40) encodedRun = true;
  }
  return { letters, upper, quotes, encodedRun };
}

/** log-scaled count in [0, 1]: 0 → 0, 1 → 0.23, 20 → 1. */
function logCount(n: number): number {
  return Math.min(1, Math.log1p(n) / Math.log1p(20));
}

function firstWord(sentence: string): string {
  WORD.lastIndex = 0;
  let m = WORD.exec(sentence);
  while (m !== null && SENTENCE_OPENERS_TO_SKIP.has(m[0].toLowerCase())) m = WORD.exec(sentence);
  return m === null ? '' : m[0].toLowerCase();
}

/**
 * Fills `out[offset .. offset + STRUCTURAL_FEATURE_COUNT)` with the cues of one window:
 * `cased` is the NFKC text with case and line breaks, `canonical` its canonical form,
 * `words` the statistics of its canonical words.
 */
export function computeStructuralFeatures(cased: string, canonical: string, words: WordStats, out: Float64Array, offset: number): void {
  const lower = cased.toLowerCase();
  const wordCount = words.count;

  let imperativeSentences = 0;
  let sentenceCount = 0;
  let instructionAfterContent = 0;
  let position = 0;
  for (const sentence of lower.split(SENTENCE_SPLIT)) {
    const start = position;
    position += sentence.length + 1;
    if (sentence.trim().length === 0) continue;
    sentenceCount++;
    if (IMPERATIVE_VERBS.has(firstWord(sentence))) {
      // An instruction after a stretch of non-instruction text is the shape of an indirect injection.
      if (imperativeSentences === 0 && start > 200) instructionAfterContent = 1;
      imperativeSentences++;
    }
  }

  const { letters, upper, quotes, encodedRun } = characterCounts(cased);

  // Each regex below needs a character the text may not have: checking for it first is exact
  // and much cheaper than a scan (this runs for every window and every segment).
  const hasColon = cased.includes(':');
  const mixedScript = NON_ASCII.test(canonical) ? countMatches(MIXED_SCRIPT_WORD, canonical) : 0;
  const roleTags = hasColon || cased.includes('<') || cased.includes('[') ? countMatches(ROLE_TAG, cased) : 0;
  const tableLines = cased.includes('|') ? countMatches(TABLE_LINE, cased) : 0;
  const emailHeaders = hasColon ? countMatches(EMAIL_HEADER, cased) : 0;
  const overrideCue = OVERRIDE_VERBS.some((v) => canonical.includes(v)) && OVERRIDE.test(canonical);
  const documentLike = tableLines >= 3 || emailHeaders >= 1 || CODE_FENCE.test(cased) ? 1 : 0;

  const f = out;
  let k = offset;
  f[k++] = roleTags > 0 ? 1 : 0;
  f[k++] = logCount(roleTags);
  f[k++] = sentenceCount === 0 ? 0 : imperativeSentences / sentenceCount;
  f[k++] = instructionAfterContent;
  f[k++] = wordCount === 0 ? 0 : Math.min(1, (5 * words.secondPerson) / wordCount);
  f[k++] = overrideCue ? 1 : 0;
  f[k++] = logCount(countMatches(DELIMITED, cased));
  f[k++] = cased.length === 0 ? 0 : Math.min(1, (20 * quotes) / cased.length);
  f[k++] = documentLike;
  f[k++] = documentLike * (imperativeSentences > 0 ? 1 : 0);
  f[k++] = letters < 20 ? 0 : upper / letters;
  f[k++] = wordCount === 0 ? 0 : Math.min(1, (10 * mixedScript) / wordCount);
  f[k++] = INVISIBLE.test(cased) ? 1 : 0;
  f[k++] = encodedRun ? 1 : 0;
  f[k++] = wordCount < 20 ? 0 : Math.min(1, words.maxFrequency / wordCount);
  f[k++] = SPACED_LETTERS.test(canonical) ? 1 : 0;
  f[k++] = wordCount === 0 ? 0 : Math.min(1, (10 * countMatches(DIGIT_LETTER, canonical)) / wordCount);
  f[k++] = hasColon ? logCount(countMatches(DIALOGUE_TURN, cased)) : 0;
  f[k] = Math.min(1, Math.log1p(cased.length) / Math.log1p(1000));
}
