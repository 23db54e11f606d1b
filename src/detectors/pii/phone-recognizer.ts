/**
 * PHONE_NUMBER: an RE2 pass finds phone-shaped runs (digit groups joined by single spaces,
 * dots or dashes, optional "+", "(area)", "(0)" and an extension); shapes that are really
 * dates, SSNs, IP addresses, decimals or version numbers are dropped; libphonenumber-js
 * then grades what is left for the policy's regions.
 *
 * Why not run libphonenumber's own text search: it costs ~0.25 ms per KB per region, and
 * it misses the many real-world numbers its metadata calls invalid (made-up exchanges,
 * local formats of unlisted regions). Grading our candidates costs ~20 µs each, and
 * numbers it cannot validate still count when a phone word is near ("Fax: ...").
 *
 * Spans follow the common annotation convention: the "+" and country code, an IDD
 * prefix ("001-"), a trunk "(0)" and an extension ("x4587") are part of the number.
 */
import RE2 from 're2';
import { isIP } from 'node:net';
import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import { compileContext, contextWindow, followedBy, precededBy, windowHas } from './context-words.js';
import { STREET_WORDS, UNIT_WORDS } from './street-words.js';
import { allSameChar, digitsOf, forEachMatch, isAlnumAt, partOfDateOrTime, partOfLongerNumber } from './text-scan.js';

const PAREN = String.raw`\(\d{1,5}\)`;
/** Between digit groups: one space, dot or dash, or a "(area)" / "(0)" group with optional spaces. */
const JOIN = String.raw`(?:[ .\-]?${PAREN}[ .\-]?|[ .\-])`;
const EXTENSION = String.raw`(?:[ ]?(?:[xX#]|[eE][xX][tT]\.?|[eE]xtension)[ ]?\d{1,6})`;
/**
 * Three ways to start: "+" or "(area)" then any digit groups; two or more plain groups;
 * or one bare run of 7–15 digits. Lone short numbers ("25", "2024") never match, which
 * keeps RE2 exec calls (a few µs each) to real candidates.
 */
const PHONE_SHAPE = [
  String.raw`(?:\+[ ]?(?:${PAREN}[ ]?)?|${PAREN}[ ]?)\d{1,12}(?:${JOIN}\d{1,12}){0,7}${EXTENSION}?`,
  String.raw`\b\d{1,12}(?:${JOIN}\d{1,12}){1,7}${EXTENSION}?`,
  String.raw`\b\d{7,15}${EXTENSION}?`,
].join('|');

/** E.164 allows at most 15 digits; fewer than 6 is a short code or a count, not a number. */
const MIN_DIGITS_GROUPED = 6;
const MIN_DIGITS_UNGROUPED = 7;
const MAX_DIGITS = 15;

/** Base scores by how much libphonenumber vouches for the number (see module comment). */
const SCORE = {
  internationalValid: 0.75,
  internationalPossible: 0.5,
  nationalValidFormatted: 0.6,
  nationalValidBare: 0.4,
  possible: 0.35,
  shapeOnly: 0.25,
} as const;
const CONTEXT_BOOST = 0.4;

const PHONE_CONTEXT = compileContext([
  'phone', 'telephone', 'tel', 'mobile', 'cell', 'cellphone', 'call', 'calling', 'called', 'fax',
  'desk', 'office', 'contact', 'reach', 'dial', 'sms', 'whatsapp', 'landline', 'hotline', 'message',
  'answering', 'voicemail', 'ph', 'mob',
]);

/**
 * Words that name a bare digit run as something else ("order 12345678901", "invoice
 * 2127365000"). A run with no separators and one of these before it is not read as a phone.
 */
const NOT_PHONE_CONTEXT = compileContext([
  'order', 'invoice', 'id', 'ref', 'reference', 'tracking', 'ticket', 'serial', 'sku', 'isbn', 'transaction',
  'confirmation', 'account', 'acct', 'build', 'version', 'customer', 'member', 'policy', 'case', 'booking', 'receipt',
]);

const ISO_DATE_PREFIX = /^(1[89]\d\d|20\d\d|21\d\d)([-./])(\d{1,2})\2(\d{1,2})(?!\d)/;
const DAY_MONTH_YEAR = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})$/;
const SSN_SHAPE = /^\d{3}[-. ]\d{2}[-. ]\d{4}$/;
const EXTENSION_SUFFIX = /[ ]?(?:[xX#]|[eE][xX][tT]\.?|[eE]xtension)[ ]?\d{1,6}$/;

export const createPhoneRecognizer: PiiRecognizerFactory = ({ phoneRegions }) => {
  const shape = new RE2(PHONE_SHAPE, 'g');
  const regions = (phoneRegions as readonly CountryCode[]).map((region) => ({ region, lengths: nationalLengths(region) }));
  return {
    entities: ['PHONE_NUMBER'],
    patterns: [PHONE_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        const start = m.index;
        const end = start + m[0].length;
        if (!boundaryOk(text, start, end)) return;
        const value = m[0];
        const core = value.replace(EXTENSION_SUFFIX, '');
        if (!plausibleShape(core)) return;
        if (/^\d+$/.test(core) && notAPhone(text, start, end)) return;
        if (looksLikeAddress(text, start, end, core)) return;
        const score = grade(core, regions);
        out.push(candidate(start, end, score));
      });
    },
  };
};

/**
 * Space-separated digit groups followed by a street name ("9543 1819 St. John Street") or
 * right after "Apt." / "Suite" are a house and unit number, even when libphonenumber calls
 * them valid: for regions with flexible numbering (DE accepts 4 to 15 digits) almost any
 * digit group is "valid". Dashes, dots, parentheses or a "+" mark a phone layout and are
 * never vetoed this way.
 */
function looksLikeAddress(text: string, start: number, end: number, core: string): boolean {
  if (!/^\d+(?: \d+)*$/.test(core)) return false;
  return followedBy(text, end, STREET_WORDS, 3) || precededBy(text, start, UNIT_WORDS, 1);
}

function notAPhone(text: string, start: number, end: number): boolean {
  const window = contextWindow(text, start, end);
  return windowHas(window, NOT_PHONE_CONTEXT) && !windowHas(window, PHONE_CONTEXT);
}

function candidate(start: number, end: number, score: number): PiiCandidate {
  return {
    entityType: 'PHONE_NUMBER',
    ruleId: 'PHONE_NUMBER',
    start,
    end,
    score,
    contextScore: Math.min(1, score + CONTEXT_BOOST),
    context: PHONE_CONTEXT,
  };
}

/** Not glued to letters/digits, and not the tail of a longer dotted or dashed number. */
function boundaryOk(text: string, start: number, end: number): boolean {
  // "1.2.3.4.5.6.7.8.9": the regex stopped inside a longer dotted or dashed run;
  // "20/03/2023 17:18": it picked up the year and hour of a timestamp.
  // "xoxb-47834520726-...": digits hyphenated onto a word are part of an identifier.
  const joinedToWord = (text[start - 1] === '-' || text[start - 1] === '_') && isAlnumAt(text, start - 2);
  return (
    !joinedToWord &&
    !isAlnumAt(text, start - 1) &&
    !isAlnumAt(text, end) &&
    !partOfLongerNumber(text, start, end) &&
    !partOfDateOrTime(text, start, end)
  );
}

/** Rejects shapes that are something other than a phone number. */
function plausibleShape(core: string): boolean {
  const digits = digitsOf(core);
  const groups = core.split(/[ .\-()+]+/).filter((g) => g.length > 0);
  const grouped = groups.length > 1 || core.startsWith('+');
  if (digits.length > MAX_DIGITS) return false;
  if (digits.length < (grouped ? MIN_DIGITS_GROUPED : MIN_DIGITS_UNGROUPED)) return false;
  if (allSameChar(digits)) return false;
  if (!balancedParens(core)) return false;
  if (looksLikeDate(core)) return false;
  if (SSN_SHAPE.test(core)) return false; // US SSN layout; the SSN recognizer owns it
  if (isIP(core) !== 0) return false;
  if (core.includes('.')) {
    // Dotted numbers are phones only as 3+ groups of 2+ digits ("03.93.92.16.85");
    // otherwise they are decimals, prices or version numbers ("1.2.3.4").
    const dotted = core.replace(/^\+\d{1,3}[ .]?/, '').split('.');
    if (dotted.length < 3 || dotted.some((g) => digitsOf(g).length < 2)) return false;
  }
  // Several single-digit groups ("1 2 3 4 5 6 7") read as a list, not a number. A leading
  // country or trunk digit ("+1 ...", "1-800-...") and a "(0)" trunk do not count, and one
  // short area code is normal ("+46 (0)8 928 571 38").
  const singleDigitGroups = groups.filter((g, i) => g.length === 1 && !(i === 0 && digits.length >= 10) && g !== '0');
  return singleDigitGroups.length <= 1;
}

function balancedParens(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0 || depth > 1) return false;
  }
  return depth === 0;
}

function looksLikeDate(core: string): boolean {
  const iso = ISO_DATE_PREFIX.exec(core);
  if (iso && validMonthDay(Number(iso[3]), Number(iso[4]))) return true;
  const dmy = DAY_MONTH_YEAR.exec(core);
  if (dmy) {
    const a = Number(dmy[1]);
    const b = Number(dmy[2]);
    return validMonthDay(b, a) || validMonthDay(a, b);
  }
  return false;
}

function validMonthDay(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

interface RegionPlan {
  region: CountryCode;
  /** Possible national number lengths (libphonenumber metadata). */
  lengths: ReadonlySet<number>;
}

function nationalLengths(region: CountryCode): ReadonlySet<number> {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(region);
  return new Set(metadata.numberingPlan?.possibleLengths() ?? []);
}

/**
 * A national candidate can only be valid when its digit count, less a trunk prefix of up
 * to three digits, is a length the region uses. Checking that first skips most
 * libphonenumber parses (~20 µs each) for numbers that cannot pass.
 */
function lengthFits(digitCount: number, lengths: ReadonlySet<number>): boolean {
  for (let prefix = 0; prefix <= 3; prefix++) if (lengths.has(digitCount - prefix)) return true;
  return false;
}

/** Grades a candidate (without its extension) with libphonenumber for the configured regions. */
function grade(core: string, regions: readonly RegionPlan[]): number {
  const idd = /^(?:00|011)[ .-]?(?=[1-9])/.exec(core);
  if (core.startsWith('+') || idd) {
    const international = idd ? '+' + core.slice(idd[0].length) : core;
    const parsed = parsePhoneNumberFromString(international, { extract: false });
    if (parsed?.isValid()) return SCORE.internationalValid;
    if (parsed?.isPossible()) return SCORE.internationalPossible;
    if (core.startsWith('+')) return SCORE.shapeOnly;
    // "001-…" may also be a national number; fall through.
  }
  let possible = false;
  const digitCount = digitsOf(core).length;
  for (const { region, lengths } of regions) {
    if (!lengthFits(digitCount, lengths)) continue;
    const parsed = parsePhoneNumberFromString(core, { defaultCountry: region, extract: false });
    if (!parsed) continue;
    if (parsed.isValid()) return /[ .\-()]/.test(core) ? SCORE.nationalValidFormatted : SCORE.nationalValidBare;
    possible ||= parsed.isPossible();
  }
  return possible ? SCORE.possible : SCORE.shapeOnly;
}
