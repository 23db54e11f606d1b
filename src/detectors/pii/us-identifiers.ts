/**
 * US government and banking identifiers: US_SSN, US_ITIN, US_PASSPORT, US_BANK_NUMBER,
 * US_DRIVER_LICENSE.
 *
 * Only the SSN and ITIN have a layout specific enough to stand alone ("123-45-6789",
 * with the issuing rules checked). Passport, bank account and driver license numbers are
 * just runs of digits (and letters) until a word like "passport" or "account" is near,
 * so their base scores are near zero and their context scores carry them (Presidio's
 * model for the same entities).
 */
import RE2 from 're2';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import type { PiiEntityType } from './entities.js';
import { compileContext, type CompiledContext } from './context-words.js';
import { allSameChar, digitsOf, forEachMatch, isolated, partOfLongerNumber } from './text-scan.js';

const SSN_CONTEXT = compileContext(['ssn', 'ssns', 'social security', 'social', 'ss', 'ssa', 'security number']);
const ITIN_CONTEXT = compileContext(['itin', 'taxpayer', 'tax', 'individual taxpayer', 'tin']);
const PASSPORT_CONTEXT = compileContext(['passport', 'travel document', 'passport#']);
const BANK_CONTEXT = compileContext(['bank', 'account', 'acct', 'checking', 'savings', 'deposit', 'debit']);
const DRIVER_LICENSE_CONTEXT = compileContext(['driver', 'drivers', 'license', 'licence', 'dl', 'dln', 'driving', 'lic']);

/** Numbers the SSA never issued or that were published as examples. */
const INVALID_SSNS = new Set(['078051120', '219099999', '123456789']);

interface Rule {
  entity: PiiEntityType;
  ruleId: string;
  pattern: string;
  score: number;
  contextScore: number;
  context: CompiledContext;
  /** Extra check on the matched text; false drops the match. */
  valid?: (value: string) => boolean;
}

const RULES: readonly Rule[] = [
  // Dashes are the SSA's own layout; spaces or dots are weaker (house numbers, amounts).
  { entity: 'US_SSN', ruleId: 'US_SSN', pattern: String.raw`\d{3}-\d{2}-\d{4}`, score: 0.6, contextScore: 0.95, context: SSN_CONTEXT, valid: (v) => ssnValid(digitsOf(v)) },
  { entity: 'US_SSN', ruleId: 'US_SSN', pattern: String.raw`\d{3}[ .]\d{2}[ .]\d{4}`, score: 0.4, contextScore: 0.9, context: SSN_CONTEXT, valid: (v) => sameSeparators(v) && ssnValid(digitsOf(v)) },
  { entity: 'US_SSN', ruleId: 'US_SSN', pattern: String.raw`\d{9}`, score: 0.15, contextScore: 0.75, context: SSN_CONTEXT, valid: ssnValid },
  { entity: 'US_ITIN', ruleId: 'US_ITIN', pattern: String.raw`9\d{2}[- ]\d{2}[- ]\d{4}`, score: 0.5, contextScore: 0.9, context: ITIN_CONTEXT, valid: (v) => sameSeparators(v) && itinValid(digitsOf(v)) },
  { entity: 'US_ITIN', ruleId: 'US_ITIN', pattern: String.raw`9\d{8}`, score: 0.15, contextScore: 0.75, context: ITIN_CONTEXT, valid: itinValid },
  { entity: 'US_PASSPORT', ruleId: 'US_PASSPORT', pattern: String.raw`\d{9}`, score: 0.05, contextScore: 0.6, context: PASSPORT_CONTEXT, valid: notPlaceholder },
  // Next-generation passport books (2021+): one letter then eight digits.
  { entity: 'US_PASSPORT', ruleId: 'US_PASSPORT', pattern: String.raw`[A-Za-z]\d{8}`, score: 0.1, contextScore: 0.65, context: PASSPORT_CONTEXT },
  { entity: 'US_BANK_NUMBER', ruleId: 'US_BANK_NUMBER', pattern: String.raw`\d{8,17}`, score: 0.05, contextScore: 0.6, context: BANK_CONTEXT, valid: notPlaceholder },
  // State formats vary widely: letter prefixes, letter suffixes, dashed Florida/Illinois/
  // Wisconsin forms. RE2 takes the first alternative that matches at a position, so the
  // longer, more specific forms come first.
  {
    entity: 'US_DRIVER_LICENSE',
    ruleId: 'US_DRIVER_LICENSE',
    pattern: [
      String.raw`[A-Za-z]\d{3}-\d{3}-\d{2}-\d{3}-\d`,
      String.raw`[A-Za-z]\d{3}-\d{4}-\d{4}(?:-\d{2})?`,
      String.raw`[A-Za-z]{2}\d{6}[A-Za-z]`,
      String.raw`\d{2}[A-Za-z]{3}\d{5,6}`,
      String.raw`\d{3}[A-Za-z]{2}\d{4}`,
      String.raw`\d{7,9}[A-Za-z]{1,2}`,
      String.raw`[A-Za-z]{1,2}\d{4,14}`,
    ].join('|'),
    score: 0.1,
    contextScore: 0.65,
    context: DRIVER_LICENSE_CONTEXT,
  },
  { entity: 'US_DRIVER_LICENSE', ruleId: 'US_DRIVER_LICENSE', pattern: String.raw`\d{6,14}`, score: 0.05, contextScore: 0.6, context: DRIVER_LICENSE_CONTEXT, valid: notPlaceholder },
];

export const createUsIdentifierRecognizer: PiiRecognizerFactory = ({ wanted }) => {
  const rules = RULES.filter((r) => wanted.has(r.entity)).map((r) => ({ rule: r, re: new RE2(r.pattern, 'g') }));
  return {
    entities: ['US_SSN', 'US_ITIN', 'US_PASSPORT', 'US_BANK_NUMBER', 'US_DRIVER_LICENSE'],
    recognize(text, out) {
      for (const { rule, re } of rules) {
        forEachMatch(re, text, (m) => {
          const start = m.index;
          const end = start + m[0].length;
          if (!isolated(text, start, end) || partOfLongerNumber(text, start, end)) return;
          if (rule.valid && !rule.valid(m[0])) return;
          out.push(candidate(rule, start, end));
        });
      }
    },
  };
};

function candidate(rule: Rule, start: number, end: number): PiiCandidate {
  return { entityType: rule.entity, ruleId: rule.ruleId, start, end, score: rule.score, contextScore: rule.contextScore, context: rule.context };
}

/** "123-45-6789" and "123 45 6789" are SSN layouts; "123-45 6789" is two numbers. */
function sameSeparators(value: string): boolean {
  return value[3] === value[6];
}

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

function notPlaceholder(value: string): boolean {
  return !allSameChar(value);
}
