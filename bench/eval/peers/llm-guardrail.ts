/**
 * llm_guardrail: three TF-IDF + logistic-regression models shipped as JSON (prompt injection,
 * jailbreak, malicious content).
 *
 * - injection: `checkInjection` and `checkJailbreak`; detected when either model predicts a
 *   threat (its own 0.5 decision); score = the higher of the two threat probabilities.
 * The "malicious content" model is about harmful requests ("how to make explosives"), not
 * offensive language, so it is not scored as toxicity. No PII or secret guard.
 */
import { checkInjection, checkJailbreak } from 'llm_guardrail';
import { installedVersion, type PeerAdapter } from './peer-adapter.js';

interface ModelResult {
  detected: boolean;
  confidence: number;
}

export async function createAdapter(): Promise<PeerAdapter> {
  return {
    name: 'llm_guardrail',
    version: installedVersion('llm_guardrail'),
    tasks: {
      injection: async (text) => {
        const [a, b]: [ModelResult, ModelResult] = await Promise.all([checkInjection(text), checkJailbreak(text)]);
        return { detected: a.detected || b.detected, score: Math.max(a.confidence, b.confidence) };
      },
    },
    notes: [
      'injection: checkInjection + checkJailbreak (each model\'s own 0.5 decision)',
      'malicious-content model not scored (harmful requests, not toxicity); no PII or secret guard',
    ],
  };
}
