/**
 * EMAIL_ADDRESS: local part, "@", a dotted domain whose last label is a plausible TLD
 * (two or more letters, or an IDN "xn--" label). Letters and digits of any script are
 * accepted (internationalised addresses). The local part may not start or end with a dot
 * or contain two dots in a row; domain labels are 1–63 characters and do not start or
 * end with a hyphen.
 *
 * The scan starts from each "@" and walks outwards, instead of running an unanchored
 * pattern whose first character class matches almost everywhere (RE2 then spends most
 * of its time starting and abandoning matches).
 */
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { isAlnumAt } from './text-scan.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

const SCORE = 0.9;
const EMAIL_CONTEXT = compileContext(['email', 'e-mail', 'mail', 'contact', 'address', 'write']);

export const createEmailRecognizer: PiiRecognizerFactory = () => ({
  entities: ['EMAIL_ADDRESS'],
  patterns: ['@'],
  recognize(text, out) {
    let lastEnd = 0;
    for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      if (at < lastEnd) continue;
      let start = at;
      while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text, start - 1)) start--;
      if (isLocalChar(text, start - 1)) continue; // over-long local part
      // Leading dots are punctuation before the address ("...bob@x.org").
      while (start < at && text[start] === '.') start++;
      if (start === at) continue;
      const local = text.slice(start, at);
      if (local.endsWith('.') || local.includes('..')) continue;
      if (isUrlUserinfo(text, start)) continue;
      const end = domainEnd(text, at + 1);
      if (end < 0 || isAlnumAt(text, end)) continue;
      out.push({ entityType: 'EMAIL_ADDRESS', ruleId: 'EMAIL_ADDRESS', start, end, score: SCORE, contextScore: 1, context: EMAIL_CONTEXT });
      lastEnd = end;
    }
  },
});

/**
 * End of the domain that starts at `from`, or -1. Reads dot-separated labels and stops
 * after the last label that is a valid TLD, so a sentence's final "." is not included.
 */
function domainEnd(text: string, from: number): number {
  let pos = from;
  let labels = 0;
  let lastTldEnd = -1;
  while (pos < text.length && pos - from <= MAX_DOMAIN) {
    let end = pos;
    while (end < text.length && end - pos <= MAX_LABEL && isLabelChar(text, end)) end++;
    const label = text.slice(pos, end);
    if (label.length === 0 || label.length > MAX_LABEL || label.startsWith('-') || label.endsWith('-')) break;
    labels++;
    if (labels >= 2 && isTld(label)) lastTldEnd = end;
    if (text[end] !== '.') break;
    pos = end + 1;
  }
  return lastTldEnd;
}

/**
 * "https://user:token@host/": the part before "@" is URL credentials, not a mailbox (the
 * secrets detector owns those).
 */
function isUrlUserinfo(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (before !== 47 && before !== 58) return false; // '/' or ':'
  let i = start - 1;
  while (i > 0 && start - i < 200 && !/\s/.test(text[i - 1] as string)) i--;
  return text.slice(i, start).includes('://');
}

function isTld(label: string): boolean {
  if (/^xn--[a-z0-9-]{2,59}$/i.test(label)) return true;
  return label.length >= 2 && /^\p{L}+$/u.test(label);
}

function isLocalChar(text: string, i: number): boolean {
  if (i < 0) return false;
  const c = text.charCodeAt(i);
  return c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || isAlnumAt(text, i);
}

function isLabelChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 45 || (c !== 95 && isAlnumAt(text, i));
}
