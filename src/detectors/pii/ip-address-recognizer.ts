/**
 * IP_ADDRESS: dotted-quad IPv4 and IPv6 (full, "::"-compressed, and with an embedded IPv4
 * tail). Candidates come from RE2; node:net's isIP is the validator, so octets over 255,
 * leading zeros and malformed groups are dropped. A quad inside a longer dotted run
 * ("1.2.3.4.5", a version or an OID) is not an address.
 */
import RE2 from 're2';
import { isIP } from 'node:net';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { forEachMatch, isAlnumAt, partOfLongerNumber } from './text-scan.js';

const IPV4_SHAPE = String.raw`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
/** A maximal run of hex digits, colons and dots with at least two colons. */
const IPV6_SHAPE = String.raw`[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*`;

const SCORE_V4 = 0.6;
const SCORE_V6 = 0.6;
/** "::1" or "fe80::1" are valid but short enough to be something else (C++ scopes, times). */
const SCORE_V6_SHORT = 0.35;
const SCORE_VERSION_LIKE = 0.2;
/** Loopback and "any" addresses identify no one; below the reporting floor unless context says "ip". */
const SCORE_NOT_PERSONAL = 0.2;
const NOT_PERSONAL = new Set(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::']);

const IP_CONTEXT = compileContext([
  'ip', 'ipv4', 'ipv6', 'address', 'addr', 'host', 'server', 'client', 'gateway', 'router', 'subnet',
  'dns', 'proxy', 'ping', 'connect', 'connected', 'connection', 'login', 'blocked', 'firewall', 'localhost',
]);
const VERSION_WORD = /(?:\bv|version|release|build|ver\.?)\s*$/i;

export const createIpAddressRecognizer: PiiRecognizerFactory = () => {
  const v4 = new RE2(IPV4_SHAPE, 'g');
  const v6 = new RE2(IPV6_SHAPE, 'g');
  return {
    entities: ['IP_ADDRESS'],
    patterns: [IPV4_SHAPE, IPV6_SHAPE],
    recognize(text, out, matched) {
      if (matched(0)) forEachMatch(v4, text, (m) => {
        const start = m.index;
        const end = start + m[0].length;
        if (!isolatedQuad(text, start, end) || isIP(m[0]) !== 4) return;
        const versionLike = VERSION_WORD.test(text.slice(Math.max(0, start - 12), start));
        const score = versionLike ? SCORE_VERSION_LIKE : NOT_PERSONAL.has(m[0]) ? SCORE_NOT_PERSONAL : SCORE_V4;
        out.push(candidate(start, end, score, 'IP_ADDRESS_V4'));
      });
      if (matched(1)) forEachMatch(v6, text, (m) => {
        const trimmed = trimToAddress(m[0]);
        if (!trimmed) return;
        const start = m.index + trimmed.offset;
        const end = start + trimmed.value.length;
        if (isAlnumAt(text, start - 1) || isAlnumAt(text, end)) return;
        const groups = trimmed.value.split(':').filter((g) => g.length > 0).length;
        const long = groups >= 4 || trimmed.value.includes('.'); // an IPv4 tail is two groups' worth
        const score = NOT_PERSONAL.has(trimmed.value) ? SCORE_NOT_PERSONAL : long ? SCORE_V6 : SCORE_V6_SHORT;
        out.push(candidate(start, end, score, 'IP_ADDRESS_V6'));
      });
    },
  };
};

function candidate(start: number, end: number, score: number, ruleId: string): PiiCandidate {
  return { entityType: 'IP_ADDRESS', ruleId, start, end, score, contextScore: Math.min(1, score + 0.35), context: IP_CONTEXT };
}

/** Not glued to word characters and not part of a longer dotted number. */
function isolatedQuad(text: string, start: number, end: number): boolean {
  return !isAlnumAt(text, start - 1) && !isAlnumAt(text, end) && !partOfLongerNumber(text, start, end);
}

/**
 * The IPv6 address inside a hex/colon/dot run, trimming sentence punctuation (a trailing
 * "." or a single ":" that is not part of "::"); null when no valid address remains.
 */
function trimToAddress(raw: string): { value: string; offset: number } | null {
  let value = raw;
  let offset = 0;
  // A leading single ":" is punctuation ("addr:fe80::1"); "::" may start an address.
  if (value.startsWith(':') && !value.startsWith('::')) {
    value = value.slice(1);
    offset = 1;
  }
  for (let attempt = 0; attempt < 3 && value.length > 0; attempt++) {
    if (isIP(value) === 6) return { value, offset };
    if (value.endsWith('.')) value = value.slice(0, -1);
    else if (value.endsWith(':') && !value.endsWith('::')) value = value.slice(0, -1);
    else return null;
  }
  return null;
}
