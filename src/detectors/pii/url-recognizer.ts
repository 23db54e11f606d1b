/**
 * URL: links with a scheme (http, https, ftp, ws) or starting with "www.". Bare domains
 * ("example.com") are not reported: too many file names and code identifiers look the
 * same, and a bare domain is rarely personal on its own.
 *
 * Trailing sentence punctuation and an unmatched closing bracket are not part of the URL,
 * which matches how people write links in prose ("see (https://x.org/a).").
 */
import RE2 from 're2';
import type { PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { forEachMatch, isAlnumAt } from './text-scan.js';

const URL_SHAPE = String.raw`(?i)(?:(?:https?|ftps?|sftp|wss?)://|www\.)[^\s<>"'\x60{}|\\^]+`;

const SCORE_SCHEME = 0.6;
const SCORE_WWW = 0.5;
const URL_CONTEXT = compileContext(['url', 'website', 'site', 'link', 'web', 'homepage', 'page', 'visit', 'browse', 'domain']);
const TRAILING_PUNCTUATION = '.,;:!?\'"*';

export const createUrlRecognizer: PiiRecognizerFactory = () => {
  const shape = new RE2(URL_SHAPE, 'g');
  return {
    entities: ['URL'],
    patterns: [URL_SHAPE],
    recognize(text, out) {
      forEachMatch(shape, text, (m) => {
        if (isAlnumAt(text, m.index - 1)) return;
        const value = trimUrl(m[0]);
        const hasScheme = value.includes('://');
        const host = hostOf(value, hasScheme);
        // "http://" alone or "www." followed by nothing useful is not a link.
        const end = m.index + value.length;
        // Continue right after the trimmed URL: what was cut off may hold the next link.
        if (host.length < 3 || (!hasScheme && !host.slice(4).includes('.'))) return end;
        const score = hasScheme ? SCORE_SCHEME : SCORE_WWW;
        out.push({
          entityType: 'URL',
          ruleId: 'URL',
          start: m.index,
          end,
          score,
          contextScore: Math.min(1, score + 0.3),
          context: URL_CONTEXT,
        });
        return end;
      });
    },
  };
};

function trimUrl(raw: string): string {
  // Markdown "[https://a.b](https://a.b)": the link text ends at "](".
  const markdown = raw.indexOf('](');
  let value = markdown >= 0 ? raw.slice(0, markdown) : raw;
  for (;;) {
    const last = value[value.length - 1] as string;
    if (TRAILING_PUNCTUATION.includes(last)) {
      value = value.slice(0, -1);
    } else if ((last === ')' && !balanced(value, '(', ')')) || (last === ']' && !balanced(value, '[', ']'))) {
      value = value.slice(0, -1);
    } else {
      return value;
    }
  }
}

function balanced(s: string, open: string, close: string): boolean {
  let n = 0;
  for (const ch of s) {
    if (ch === open) n++;
    else if (ch === close) n--;
  }
  return n >= 0;
}

function hostOf(url: string, hasScheme: boolean): string {
  const rest = hasScheme ? url.slice(url.indexOf('://') + 3) : url;
  const cut = rest.search(/[/?#]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  return authority.slice(authority.lastIndexOf('@') + 1);
}
