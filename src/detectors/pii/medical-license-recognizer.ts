/**
 * MEDICAL_LICENSE: US DEA registration numbers. Two letters (a registrant-type letter,
 * then the registrant's initial or "9") and seven digits whose last digit is the DEA
 * check digit.
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { deaNumberValid } from './checksums.js';
import { forEachMatch, isolated } from './text-scan.js';

/** Registrant type letters in use (A/B/F/G practitioners, M mid-level, P/R distributors, X suboxone, ...). */
const DEA_SHAPE = String.raw`\b[ABCDEFGHJKLMPRSTUXabcdefghjklmprstux][A-Za-z9]\d{7}`;
const DEA_CONTEXT = compileContext([
  'dea', 'medical', 'license', 'licence', 'prescriber', 'prescription', 'registration', 'physician', 'doctor', 'dr', 'md', 'pharmacy',
]);

export const createMedicalLicenseRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(DEA_SHAPE, 'g');
  return {
    entities: ['MEDICAL_LICENSE'],
    patterns: [DEA_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        const start = m.index;
        const end = start + m[0].length;
        if (!isolated(text, start, end) || !deaNumberValid(m[0].slice(2))) return;
        out.push({ entityType: 'MEDICAL_LICENSE', ruleId: 'MEDICAL_LICENSE', start, end, score: 0.4, contextScore: 0.8, context: DEA_CONTEXT });
      });
    },
  };
};
