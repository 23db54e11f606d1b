/**
 * CREDIT_CARD: 12–19 digits, bare or in groups joined by one kind of separator (space or
 * dash), with a known issuer prefix (IIN) for that length, and a valid Luhn check digit.
 * A run that fails Luhn or has no known prefix is not reported at all.
 */
import RE2 from 're2';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { luhnValid } from './checksums.js';
import { allSameChar, forEachMatch, isAlnumAt, partOfLongerNumber } from './text-scan.js';

/** [lowest prefix, highest prefix, allowed lengths, major network]; prefixes of equal digit count. */
type IinRange = readonly [low: string, high: string, lengths: readonly number[], major: boolean];

const LEN_16_19 = [16, 17, 18, 19];
/** Issuer ranges of the public card networks (ISO/IEC 7812 prefixes as the networks publish them). */
const IIN_RANGES: readonly IinRange[] = [
  ['4', '4', [13, 16, 19], true], // Visa
  ['51', '55', [16], true], // Mastercard
  ['2221', '2720', [16], true], // Mastercard 2-series
  ['34', '34', [15], true], // American Express
  ['37', '37', [15], true],
  ['6011', '6011', LEN_16_19, true], // Discover
  ['644', '649', LEN_16_19, true],
  ['65', '65', LEN_16_19, true],
  ['622126', '622925', LEN_16_19, true],
  // JCB publishes 3528–3589; the whole "35" block (ISO 7812 industry 3, travel and
  // entertainment) is accepted because co-branded and test ranges below 3528 circulate.
  ['35', '35', LEN_16_19, true], // JCB
  ['1800', '1800', [15], false], // JCB (legacy 15-digit)
  ['2131', '2131', [15], false],
  ['300', '305', [14, 15, 16, 17, 18, 19], false], // Diners Club
  ['3095', '3095', [14, 15, 16, 17, 18, 19], false],
  ['36', '36', [14, 15, 16, 17, 18, 19], false],
  ['38', '39', [14, 15, 16, 17, 18, 19], false],
  ['62', '62', LEN_16_19, true], // UnionPay
  ['81', '81', LEN_16_19, false],
  ['2200', '2204', LEN_16_19, false], // Mir
  ['50', '50', [12, 13, 14, 15, 16, 17, 18, 19], false], // Maestro
  ['56', '58', [12, 13, 14, 15, 16, 17, 18, 19], false],
  ['639', '639', [12, 13, 14, 15, 16, 17, 18, 19], false],
  ['67', '67', [12, 13, 14, 15, 16, 17, 18, 19], false],
  ['60', '60', [16], false], // RuPay
  ['82', '82', [16], false],
  ['508', '508', [16], false],
  ['9792', '9792', [16], false], // Troy
];

const SCORE_MAJOR = 0.85;
const SCORE_OTHER = 0.6;

const CARD_CONTEXT = compileContext([
  'card', 'credit', 'debit', 'cc', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb',
  'diners', 'maestro', 'unionpay', 'payment', 'pay', 'cvv', 'cvc', 'expiry', 'expires', 'pan', 'billing',
]);

/**
 * 12–19 digits with optional single separators. The code trims whole trailing groups when
 * the run continues into another number.
 */
const CARD_SHAPE = String.raw`\b\d(?:[ \-]?\d){11,18}`;

export const createCreditCardRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(CARD_SHAPE, 'g');
  return {
    entities: ['CREDIT_CARD'],
    patterns: [CARD_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        // "0.6511772622175621" is a fraction, not a card.
        if (isAlnumAt(text, m.index - 1) || partOfLongerNumber(text, m.index, m.index + 1)) return;
        const endOk = (length: number): boolean => {
          const end = m.index + length;
          return !isAlnumAt(text, end) && !partOfLongerNumber(text, end - 1, end);
        };
        const found = bestPrefix(m[0], endOk);
        if (!found) return;
        const end = m.index + found.length;
        out.push(candidate(m.index, end, found.score));
        // The match is capped at 19 digits; resume after the card, where the next may start.
        return end;
      });
    },
  };
};

function candidate(start: number, end: number, score: number): PiiCandidate {
  return { entityType: 'CREDIT_CARD', ruleId: 'CREDIT_CARD', start, end, score, contextScore: 1, context: CARD_CONTEXT };
}

/**
 * The longest run of whole groups at the start of `raw` that is a valid card number and
 * ends at a number boundary, so "4111 1111 1111 1111 2025" yields the card without the
 * trailing year.
 */
function bestPrefix(raw: string, endOk: (length: number) => boolean): { length: number; score: number } | null {
  const separators = raw.match(/[ -]/g);
  const sep = separators ? (separators[0] as string) : '';
  if (separators && separators.some((s) => s !== sep)) return null;
  const groups = sep ? raw.split(sep) : [raw];
  for (let k = groups.length; k >= 1; k--) {
    const used = groups.slice(0, k);
    // Grouped layouts start with four digits and keep inner groups at 4–6 digits, which
    // covers every network's printed form (4-4-4-4, 4-6-5, 4-6-4); k = 1 is a bare run.
    if (k > 1) {
      if ((used[0] as string).length !== 4) continue;
      if (used.slice(1, -1).some((g) => g.length < 4 || g.length > 6)) continue;
      if ((used[k - 1] as string).length > 6) continue;
    }
    const length = used.join(sep).length;
    if (!endOk(length)) continue;
    const score = cardScore(used.join(''));
    if (score > 0) return { length, score };
  }
  return null;
}

/** 0 when not a card; otherwise the base score for the number. */
function cardScore(digits: string): number {
  if (digits.length < 12 || digits.length > 19) return 0;
  if (allSameChar(digits) || !luhnValid(digits)) return 0;
  for (const [low, high, lengths, major] of IIN_RANGES) {
    const prefix = digits.slice(0, low.length);
    if (prefix >= low && prefix <= high && lengths.includes(digits.length)) {
      return major && (digits.length === 15 || digits.length === 16) ? SCORE_MAJOR : SCORE_OTHER;
    }
  }
  return 0;
}
