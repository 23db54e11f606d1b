/**
 * AU_TFN: Australian Tax File Numbers, eight or nine digits (optionally in groups of
 * three) with the ATO's weighted mod-11 check. One random nine-digit number in eleven
 * passes, so it needs a tax word nearby to be reported at a useful confidence.
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { auTfnValid } from './checksums.js';
import { allSameChar, digitsOf, forEachMatch, isolated, partOfLongerNumber } from './text-scan.js';

const TFN_SHAPE = String.raw`\b(?:\d{3} \d{3} \d{2,3}|\d{8,9})\b`;
const TFN_CONTEXT = compileContext(['tfn', 'tax file number', 'tax file', 'tax', 'ato']);

export const createAuTfnRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(TFN_SHAPE, 'g');
  return {
    entities: ['AU_TFN'],
    patterns: [TFN_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        const start = m.index;
        const end = start + m[0].length;
        if (!isolated(text, start, end) || partOfLongerNumber(text, start, end)) return;
        const digits = digitsOf(m[0]);
        if (allSameChar(digits) || !auTfnValid(digits)) return;
        out.push({ entityType: 'AU_TFN', ruleId: 'AU_TFN', start, end, score: 0.1, contextScore: 0.75, context: TFN_CONTEXT });
      });
    },
  };
};
