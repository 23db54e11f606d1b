/**
 * EMAIL_ADDRESS: local part, "@", a dotted domain whose last label is a plausible TLD
 * (letters, or an IDN "xn--" label). Letters of any script are accepted in both parts
 * (internationalised addresses). The local part may not start or end with a dot or
 * contain two dots in a row.
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { forEachMatch, isAlnumAt } from './text-scan.js';

const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?`;
const EMAIL_SHAPE = String.raw`[\p{L}\p{N}._%+\-]+@(?:${LABEL}\.)+(?:\p{L}{2,63}|[Xx][Nn]--[A-Za-z0-9\-]{2,59})`;

const SCORE = 0.9;
const EMAIL_CONTEXT = compileContext(['email', 'e-mail', 'mail', 'contact', 'address', 'write']);

export const createEmailRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(EMAIL_SHAPE, 'g');
  return {
    entities: ['EMAIL_ADDRESS'],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        let start = m.index;
        const end = start + m[0].length;
        // Leading dots are punctuation before the address ("...bob@x.org").
        while (text[start] === '.') start++;
        const local = text.slice(start, text.indexOf('@', start));
        if (local.length === 0 || local.endsWith('.') || local.includes('..')) return;
        if (isAlnumAt(text, end)) return;
        out.push({ entityType: 'EMAIL_ADDRESS', ruleId: 'EMAIL_ADDRESS', start, end, score: SCORE, contextScore: 1, context: EMAIL_CONTEXT });
      });
    },
  };
};
