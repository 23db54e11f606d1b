/**
 * CRYPTO: wallet addresses whose checksum holds.
 * - Bitcoin legacy P2PKH ("1…") and P2SH ("3…"): base58check, version byte 0x00 / 0x05.
 * - Bitcoin SegWit ("bc1…"): bech32 for witness v0, bech32m for v1+ (Taproot).
 * - Ethereum ("0x" + 40 hex): mixed case must satisfy EIP-55; single-case addresses carry
 *   no checksum, so they score lower.
 */
import RE2 from 're2';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { base58CheckDecode, eip55Valid, segwitAddressValid } from './checksums.js';
import { forEachMatch, isAlnumAt } from './text-scan.js';

const BASE58_SHAPE = String.raw`\b[13][1-9A-HJ-NP-Za-km-z]{25,34}`;
const BECH32_SHAPE = String.raw`(?i)\bbc1[02-9ac-hj-np-z]{11,87}`;
const ETH_SHAPE = String.raw`\b0x[0-9A-Fa-f]{40}`;

const SCORE_CHECKSUMMED = 0.9;
const SCORE_ETH_NO_CHECKSUM = 0.6;

const CRYPTO_CONTEXT = compileContext([
  'wallet', 'bitcoin', 'btc', 'ethereum', 'eth', 'crypto', 'address', 'send', 'deposit', 'usdt', 'erc',
]);

export const createCryptoWalletRecognizer: PiiRecognizerFactory = () => {
  const base58 = new RE2(BASE58_SHAPE, 'g');
  const bech32 = new RE2(BECH32_SHAPE, 'g');
  const eth = new RE2(ETH_SHAPE, 'g');
  return {
    entities: ['CRYPTO'],
    patterns: [BASE58_SHAPE, BECH32_SHAPE, ETH_SHAPE],
    recognize(text, out, matched) {
      if (matched(0)) forEachMatch(base58, text, (m) => {
        if (!isolatedMatch(text, m)) return;
        const payload = base58CheckDecode(m[0]);
        if (!payload || payload.length !== 21) return;
        if (payload[0] !== 0x00 && payload[0] !== 0x05) return;
        out.push(candidate(m, SCORE_CHECKSUMMED, 'CRYPTO_BTC_BASE58'));
      });
      if (matched(1)) forEachMatch(bech32, text, (m) => {
        if (!isolatedMatch(text, m) || !segwitAddressValid(m[0], ['bc'])) return;
        out.push(candidate(m, SCORE_CHECKSUMMED, 'CRYPTO_BTC_BECH32'));
      });
      if (matched(2)) forEachMatch(eth, text, (m) => {
        if (!isolatedMatch(text, m)) return;
        const hex = m[0].slice(2);
        const singleCase = hex === hex.toLowerCase() || hex === hex.toUpperCase();
        if (!singleCase && !eip55Valid(hex)) return;
        out.push(candidate(m, singleCase ? SCORE_ETH_NO_CHECKSUM : SCORE_CHECKSUMMED, 'CRYPTO_ETH'));
      });
    },
  };
};

function isolatedMatch(text: string, m: RegExpExecArray): boolean {
  return !isAlnumAt(text, m.index - 1) && !isAlnumAt(text, m.index + m[0].length);
}

function candidate(m: RegExpExecArray, score: number, ruleId: string): PiiCandidate {
  return {
    entityType: 'CRYPTO',
    ruleId,
    start: m.index,
    end: m.index + m[0].length,
    score,
    contextScore: Math.min(1, score + 0.3),
    context: CRYPTO_CONTEXT,
  };
}
