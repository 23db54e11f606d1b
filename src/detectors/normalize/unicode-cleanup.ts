/**
 * The first normalisation pass: one walk over the original code points that
 *  - drops characters a reader cannot see but a model still reads (zero-width, bidi
 *    controls, soft hyphen, variation selectors, fillers, control characters),
 *  - collects Unicode tag characters (U+E0000–U+E007F) separately, because they spell
 *    out invisible ASCII ("ASCII smuggling") that must be scanned, not just removed,
 *  - applies NFKC (fullwidth, mathematical, circled and ligature forms → plain letters),
 *    lower-cases, and strips diacritics from Latin letters,
 *  - turns every kind of whitespace into a plain space or newline.
 *
 * Each output code unit records the original range it came from (see offset-map.ts).
 */
import type { TextSpan } from '../types.js';
import { isAsciiLower, NEWLINE, SPACE, whitespaceKind } from './char-classes.js';
import type { MappedBuffer } from './offset-map.js';

/** A run of Unicode tag characters and the ASCII it spells. */
export interface TagRun extends TextSpan {
  text: string;
}

/** True for code points removed outright: invisible formatting and control characters. */
export function isInvisible(cp: number): boolean {
  if (cp < 0x20) return cp !== 0x09 && (cp < 0x0a || cp > 0x0d);
  if (cp >= 0x7f && cp <= 0x9f) return cp !== 0x85;
  if (cp < 0xad) return false;
  return (
    cp === 0xad || // soft hyphen
    cp === 0x34f || // combining grapheme joiner
    cp === 0x61c || // Arabic letter mark
    cp === 0x115f ||
    cp === 0x1160 || // Hangul fillers
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0x180b && cp <= 0x180f) || // Mongolian variation selectors, vowel separator
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM/RLM
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings and overrides
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner, invisible operators
    (cp >= 0x2066 && cp <= 0x206f) || // bidi isolates, deprecated format characters
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors
    cp === 0xfeff || // zero-width no-break space / BOM
    cp === 0xffa0 ||
    (cp >= 0x1d173 && cp <= 0x1d17a) || // musical formatting
    isTagCharacter(cp) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) // variation selectors supplement
  );
}

/** Unicode tag characters (U+E0000–U+E007F), used invisibly to spell ASCII. */
export function isTagCharacter(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

/**
 * Latin letters NFKC leaves alone but readers take for plain ASCII, and typographic
 * quotes and dashes (so rules need only the ASCII forms). Always folded.
 */
const FOLD_EXTRAS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ı: 'i',
  ȷ: 'j',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ħ: 'h',
  ŧ: 't',
  ƀ: 'b',
  ɨ: 'i',
  ɡ: 'g',
  // Latin letter small capitals (used for "fancy text" obfuscation).
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
};

const COMBINING_AFTER_LATIN = /([a-z])[\u0300-\u036f]+/g;
const HAS_COMBINING = /[\u0300-\u036f]/;

/** Folds one non-ASCII code point: NFKC, lower case, Latin diacritics stripped. */
function foldUncached(cp: number): string {
  // Enclosed letters without a compatibility decomposition: negative circled/squared
  // letters and regional indicators (🅸🅶🅽 or 🇮🇬🇳) read as letters.
  if (cp >= 0x1f150 && cp <= 0x1f169) return String.fromCharCode(0x61 + cp - 0x1f150);
  if (cp >= 0x1f170 && cp <= 0x1f189) return String.fromCharCode(0x61 + cp - 0x1f170);
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return String.fromCharCode(0x61 + cp - 0x1f1e6);
  let s = String.fromCodePoint(cp).normalize('NFKC').toLowerCase();
  const decomposed = s.normalize('NFD');
  if (HAS_COMBINING.test(decomposed)) {
    s = decomposed.replace(COMBINING_AFTER_LATIN, '$1').normalize('NFC');
  }
  let out = '';
  for (const ch of s) out += FOLD_EXTRAS[ch] ?? ch;
  return out;
}

const FOLD_MEMO_LIMIT = 16_384;
/** Memo of a pure function (bounded); repeated non-ASCII characters cost one Map lookup. */
const foldMemo = new Map<number, string>();

/** The folded form of a non-ASCII code point (memoised). */
export function foldCodePoint(cp: number): string {
  let s = foldMemo.get(cp);
  if (s === undefined) {
    s = foldUncached(cp);
    if (foldMemo.size >= FOLD_MEMO_LIMIT) foldMemo.clear();
    foldMemo.set(cp, s);
  }
  return s;
}

/**
 * Appends the cleaned, folded form of `input` to `out`, recording original offsets.
 * Returns the runs of Unicode tag characters found (their ASCII payload).
 */
export function cleanupAndFold(input: string, out: MappedBuffer): TagRun[] {
  const tagRuns: TagRun[] = [];
  let tagRun: TagRun | null = null;
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c < 0x80) {
      // ASCII fast path: the overwhelmingly common case.
      if (c >= 0x41 && c <= 0x5a) out.push(c + 0x20, i, i + 1);
      else if (c >= 0x21 && c !== 0x7f) out.push(c, i, i + 1);
      else {
        const ws = whitespaceKind(c);
        if (ws !== 0) out.push(ws === 2 ? NEWLINE : SPACE, i, i + 1);
      }
      i++;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const end = i + width;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out.push(0xfffd, i, end); // lone surrogate
    } else if (isTagCharacter(cp)) {
      if (tagRun === null || tagRun.end !== i) {
        tagRun = { start: i, end, text: '' };
        tagRuns.push(tagRun);
      }
      tagRun.end = end;
      if (cp >= 0xe0020 && cp <= 0xe007e) tagRun.text += String.fromCharCode(cp - 0xe0000);
    } else if (isInvisible(cp)) {
      // dropped
    } else if (cp >= 0x300 && cp <= 0x36f && out.length > 0 && isAsciiLower(out.units[out.length - 1] as number)) {
      // A combining diacritic after a Latin letter: drop it, but let the letter's
      // source range cover it so spans include the whole grapheme.
      out.srcEnd[out.length - 1] = end;
    } else {
      const ws = whitespaceKind(cp);
      if (ws !== 0) out.push(ws === 2 ? NEWLINE : SPACE, i, end);
      else out.pushString(foldCodePoint(cp), i, end);
    }
    i = end;
  }
  return tagRuns;
}
