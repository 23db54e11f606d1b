/**
 * UK_NHS: ten digits, bare or as 3-3-4, whose mod-11 check digit holds. About one random
 * ten-digit number in eleven passes, and UK phone numbers have the same layout, so
 * without a health word nearby the score stays below a typical threshold.
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { nhsMod11Valid } from './checksums.js';
import { allSameChar, digitsOf, forEachMatch, isolated, partOfLongerNumber } from './text-scan.js';

const NHS_SHAPE = String.raw`\b\d{3}[ -]?\d{3}[ -]?\d{4}`;
const NHS_CONTEXT = compileContext(['nhs', 'national health', 'health', 'patient', 'hospital', 'gp', 'medical', 'chi']);

export const createUkNhsRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(NHS_SHAPE, 'g');
  return {
    entities: ['UK_NHS'],
    patterns: [NHS_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        const start = m.index;
        const end = start + m[0].length;
        if (!isolated(text, start, end) || partOfLongerNumber(text, start, end)) return;
        // Either no separators or the same one twice: "943 476 5919", not "943 476-5919".
        const seps = m[0].replace(/\d/g, '');
        if (seps.length === 1 || (seps.length === 2 && seps[0] !== seps[1])) return;
        const digits = digitsOf(m[0]);
        if (allSameChar(digits) || !nhsMod11Valid(digits)) return;
        out.push({ entityType: 'UK_NHS', ruleId: 'UK_NHS', start, end, score: 0.3, contextScore: 0.8, context: NHS_CONTEXT });
      });
    },
  };
};
