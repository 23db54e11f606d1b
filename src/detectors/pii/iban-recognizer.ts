/**
 * IBAN_CODE: a country code with that country's IBAN length (ISO 13616 registry), written
 * bare or in groups of four, whose mod-97 check is 1. Either letter case is accepted
 * (people type IBANs in lower case); a failed check means no finding.
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { ibanMod97Valid } from './checksums.js';
import { forEachMatch, isAlnumAt } from './text-scan.js';

/** Total IBAN length per country, from the SWIFT IBAN registry. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

const SCORE = 0.85;
const IBAN_CONTEXT = compileContext([
  'iban', 'bank', 'account', 'transfer', 'wire', 'swift', 'bic', 'sepa', 'beneficiary', 'payee',
]);

/** Country, check digits, then up to 30 more characters in optional groups (trimmed in code). */
const IBAN_SHAPE = String.raw`\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,32}`;

export const createIbanRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(IBAN_SHAPE, 'g');
  return {
    entities: ['IBAN_CODE'],
    patterns: [IBAN_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        if (isAlnumAt(text, m.index - 1)) return m.index + 1;
        const country = m[0].slice(0, 2).toUpperCase();
        const length = IBAN_LENGTHS[country];
        // On failure, rescan from the next character: the greedy run may have swallowed
        // the start of a real IBAN ("ab12 GB82 WEST ...").
        const retry = m.index + 1;
        if (!length) return retry;
        const taken = takeIban(m[0], length);
        if (taken === null) return retry;
        const end = m.index + taken;
        if (isAlnumAt(text, end)) return retry;
        const compact = m[0].slice(0, taken).replace(/ /g, '');
        if (!ibanMod97Valid(compact)) return retry;
        out.push({ entityType: 'IBAN_CODE', ruleId: 'IBAN_CODE', start: m.index, end, score: SCORE, contextScore: 1, context: IBAN_CONTEXT });
        return end;
      });
    },
  };
};

/**
 * How many characters of `raw` hold exactly `length` IBAN characters; null when a space
 * is not at a group-of-four position (then it is not one IBAN but several tokens).
 */
function takeIban(raw: string, length: number): number | null {
  let count = 0;
  let i = 0;
  for (; i < raw.length && count < length; i++) {
    if (raw[i] === ' ') {
      if (count % 4 !== 0) return null;
      continue;
    }
    count++;
  }
  return count === length ? i : null;
}
