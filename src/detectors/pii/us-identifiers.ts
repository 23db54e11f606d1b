/**
 * US government and banking identifiers: US_SSN, US_ITIN, US_PASSPORT, US_BANK_NUMBER,
 * US_DRIVER_LICENSE.
 *
 * Only the SSN and ITIN have a layout specific enough to stand alone ("123-45-6789",
 * with the issuing rules checked). Passport, bank account and driver license numbers are
 * just runs of digits (and letters) until a word like "passport" or "account" is near,
 * so their base scores are near zero and their context scores carry them (Presidio's
 * model for the same entities). Every reading of a run is proposed; overlap resolution
 * keeps the one its context supports best.
 *
 * Three scans cover all five entities (one per shape), because each RE2 exec costs a few
 * microseconds and these shapes overlap heavily.
 */
import RE2 from 're2';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import type { PiiEntityType } from './entities.js';
import { compileContext, followedBy, type CompiledContext } from './context-words.js';
import { STREET_WORDS } from './street-words.js';
import { allSameChar, digitsOf, forEachMatch, isolated, partOfLongerNumber } from './text-scan.js';

const SSN_CONTEXT = compileContext(['ssn', 'ssns', 'social security', 'social', 'ss', 'ssa', 'security number']);
const ITIN_CONTEXT = compileContext(['itin', 'taxpayer', 'tax', 'individual taxpayer', 'tin']);
const PASSPORT_CONTEXT = compileContext(['passport', 'travel document']);
const BANK_CONTEXT = compileContext(['bank', 'account', 'acct', 'checking', 'savings', 'deposit', 'debit']);
const DRIVER_LICENSE_CONTEXT = compileContext(['driver', 'drivers', 'license', 'licence', 'dl', 'dln', 'driving', 'lic']);

/** Numbers the SSA never issued or that were published as examples. */
const INVALID_SSNS = new Set(['078051120', '219099999', '123456789']);

/** "123-45-6789", "123 45 6789", "123.45.6789" (SSN and ITIN layout). */
const DELIMITED_9 = String.raw`\b\d{3}[- .]\d{2}[- .]\d{4}\b`;
/** A bare run of digits: SSN/ITIN/passport (9), bank account (8–17), license (6–14). */
const DIGIT_RUN = String.raw`\b\d{6,17}\b`;
/**
 * Letters and digits: state driver license formats and next-generation passports
 * (letter + 8 digits). RE2 takes the first alternative that matches at a position, so the
 * longer, more specific forms come first.
 */
const ALNUM_ID = String.raw`\b(?:${[
  String.raw`[A-Za-z]\d{3}-\d{3}-\d{2}-\d{3}-\d`,
  String.raw`[A-Za-z]\d{3}-\d{4}-\d{4}(?:-\d{2})?`,
  String.raw`[A-Za-z]{2}\d{6}[A-Za-z]`,
  String.raw`\d{2}[A-Za-z]{3}\d{5,6}`,
  String.raw`\d{3}[A-Za-z]{2}\d{4}`,
  String.raw`\d{7,9}[A-Za-z]{1,2}`,
  String.raw`[A-Za-z]{1,2}\d{4,14}`,
].join('|')})\b`;

interface Reading {
  entity: PiiEntityType;
  score: number;
  contextScore: number;
  context: CompiledContext;
}

const SSN_DASHED: Reading = { entity: 'US_SSN', score: 0.6, contextScore: 0.95, context: SSN_CONTEXT };
// Spaces or dots are weaker than the SSA's dashes (house numbers, amounts).
const SSN_SPACED: Reading = { entity: 'US_SSN', score: 0.4, contextScore: 0.9, context: SSN_CONTEXT };
const SSN_BARE: Reading = { entity: 'US_SSN', score: 0.15, contextScore: 0.75, context: SSN_CONTEXT };
const ITIN_DELIMITED: Reading = { entity: 'US_ITIN', score: 0.5, contextScore: 0.9, context: ITIN_CONTEXT };
const ITIN_BARE: Reading = { entity: 'US_ITIN', score: 0.15, contextScore: 0.75, context: ITIN_CONTEXT };
const PASSPORT_DIGITS: Reading = { entity: 'US_PASSPORT', score: 0.05, contextScore: 0.6, context: PASSPORT_CONTEXT };
const PASSPORT_NEXT_GEN: Reading = { entity: 'US_PASSPORT', score: 0.1, contextScore: 0.65, context: PASSPORT_CONTEXT };
const BANK_DIGITS: Reading = { entity: 'US_BANK_NUMBER', score: 0.05, contextScore: 0.6, context: BANK_CONTEXT };
const LICENSE_ALNUM: Reading = { entity: 'US_DRIVER_LICENSE', score: 0.1, contextScore: 0.65, context: DRIVER_LICENSE_CONTEXT };
const LICENSE_DIGITS: Reading = { entity: 'US_DRIVER_LICENSE', score: 0.05, contextScore: 0.6, context: DRIVER_LICENSE_CONTEXT };

export const createUsIdentifierRecognizer: PiiRecognizerFactory = ({ wanted }) => {
  const delimited = new RE2(DELIMITED_9, 'g');
  const digitRun = new RE2(DIGIT_RUN, 'g');
  const alnum = new RE2(ALNUM_ID, 'g');
  const emit = (out: PiiCandidate[], r: Reading, start: number, end: number): void => {
    if (wanted.has(r.entity)) out.push({ entityType: r.entity, ruleId: r.entity, start, end, score: r.score, contextScore: r.contextScore, context: r.context });
  };
  return {
    entities: ['US_SSN', 'US_ITIN', 'US_PASSPORT', 'US_BANK_NUMBER', 'US_DRIVER_LICENSE'],
    patterns: [DELIMITED_9, DIGIT_RUN, ALNUM_ID],
    recognize(text, out, matched) {
      const scan = (re: RE2, read: (value: string, start: number, end: number) => void): void =>
        forEachMatch(re, text, (m) => {
          const end = m.index + m[0].length;
          if (isolated(text, m.index, end) && !partOfLongerNumber(text, m.index, end)) read(m[0], m.index, end);
        });
      if (matched(0)) {
        scan(delimited, (value, start, end) => {
          if (value[3] !== value[6]) return; // "123-45 6789" is two numbers
          const digits = digitsOf(value);
          if (ssnValid(digits)) {
            // "Suite 680 36 4022 Oakridge Lane": spaced digits before a street name are an address.
            if (value[3] !== '-' && followedBy(text, end, STREET_WORDS, 3)) return;
            emit(out, value[3] === '-' ? SSN_DASHED : SSN_SPACED, start, end);
          }
          else if (value[3] !== '.' && itinValid(digits)) emit(out, ITIN_DELIMITED, start, end);
        });
      }
      if (matched(1)) {
        scan(digitRun, (digits, start, end) => {
          if (allSameChar(digits)) return;
          const n = digits.length;
          if (n === 9) {
            if (ssnValid(digits)) emit(out, SSN_BARE, start, end);
            else if (itinValid(digits)) emit(out, ITIN_BARE, start, end);
            emit(out, PASSPORT_DIGITS, start, end);
          }
          if (n >= 8) emit(out, BANK_DIGITS, start, end);
          if (n <= 14) emit(out, LICENSE_DIGITS, start, end);
        });
      }
      if (matched(2)) {
        scan(alnum, (value, start, end) => {
          emit(out, LICENSE_ALNUM, start, end);
          if (/^[A-Za-z]\d{8}$/.test(value)) emit(out, PASSPORT_NEXT_GEN, start, end);
        });
      }
    },
  };
};

/**
 * SSA issuing rules: area 000, 666 and 900–999 are never assigned (9xx are ITINs), group
 * 00 and serial 0000 are never assigned.
 */
export function ssnValid(digits: string): boolean {
  if (digits.length !== 9 || allSameChar(digits) || INVALID_SSNS.has(digits)) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  return digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** ITINs: area 9xx with group 50–65, 70–88, 90–92 or 94–99. */
export function itinValid(digits: string): boolean {
  if (digits.length !== 9 || digits[0] !== '9') return false;
  const group = Number(digits.slice(3, 5));
  return (group >= 50 && group <= 65) || (group >= 70 && group <= 88) || (group >= 90 && group <= 92) || (group >= 94 && group <= 99);
}
