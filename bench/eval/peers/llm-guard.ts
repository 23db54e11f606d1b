/**
 * llm-guard (npm, not the Python project of the same name): regex and word-list guards behind
 * one `LLMGuard` class; each task enables only the guards that belong to it.
 *
 * - injection: the jailbreak and prompt-injection guards; detected when the result is not valid;
 *   score = 1 - the lowest guard score (the guards score 1.0 = clean, lower = worse).
 * - pii: the PII guard; it reports matched values, not positions, so each value is located in
 *   the text in order of appearance (per type).
 * - toxicity: the toxicity and profanity guards (both are about offensive language).
 * The relevance guard (length / filler words) is not a security check and stays off.
 */
import { LLMGuard } from 'llm-guard';
import { installedVersion, type PeerAdapter, type PeerPrediction, type PeerSpan } from './peer-adapter.js';

const ALL_OFF = { pii: false, jailbreak: false, profanity: false, promptInjection: false, relevance: false, toxicity: false };

const PII_TYPES: Readonly<Record<string, string>> = {
  email: 'EMAIL_ADDRESS',
  phone: 'PHONE_NUMBER',
  ssn: 'US_SSN',
  credit_card: 'CREDIT_CARD',
  ip_address: 'IP_ADDRESS',
};

type Response = Awaited<ReturnType<LLMGuard['validate']>>;

function decision(response: Response): PeerPrediction {
  const lowest = Math.min(1, ...response.results.map((r) => r.score ?? 1));
  return { detected: !response.isValid, score: 1 - lowest };
}

/** Positions of the reported values: the n-th value of a type is its n-th occurrence after the previous one. */
function locate(text: string, response: Response): PeerSpan[] {
  const spans: PeerSpan[] = [];
  const cursor = new Map<string, number>();
  for (const result of response.results) {
    for (const d of result.details ?? []) {
      const name = /^Found (\w+):/.exec(d.message)?.[1];
      if (name === undefined || typeof d.matched !== 'string' || d.matched === '') continue;
      const type = PII_TYPES[name] ?? name;
      const start = text.indexOf(d.matched, cursor.get(type) ?? 0);
      if (start < 0) continue;
      spans.push({ type, start, end: start + d.matched.length });
      cursor.set(type, start + d.matched.length);
    }
  }
  return spans;
}

export async function createAdapter(): Promise<PeerAdapter> {
  const injection = new LLMGuard({ ...ALL_OFF, jailbreak: true, promptInjection: true });
  const pii = new LLMGuard({ ...ALL_OFF, pii: true });
  const toxicity = new LLMGuard({ ...ALL_OFF, toxicity: true, profanity: true });
  return {
    name: 'llm-guard',
    version: installedVersion('llm-guard'),
    tasks: {
      injection: async (text) => decision(await injection.validate(text)),
      pii: async (text) => {
        const response = await pii.validate(text);
        return { ...decision(response), spans: locate(text, response) };
      },
      toxicity: async (text) => decision(await toxicity.validate(text)),
    },
    notes: [
      'injection: jailbreak + promptInjection guards (default patterns)',
      'pii: PII guard (email, phone, SSN, credit card, IP); positions located from the reported values',
      'toxicity: toxicity + profanity guards',
      'relevance guard off (not a security check); no secret guard',
    ],
  };
}
