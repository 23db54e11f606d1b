/**
 * The built-in default policy. It applies when no policy file is given, and every policy
 * document is merged over it (a document only states what it changes).
 *
 * The README's policy reference documents these values; a test checks the two agree.
 */
import type { ActionName, DirectionName } from '../detectors/types.js';
import { PII_ENTITY_TYPES } from '../detectors/pii/entities.js';
import type { CompiledPolicy, ThreatRule } from './types.js';

/** The parts of a compiled policy that do not depend on tenant, name or secrets. */
export type PolicyDefaults = Omit<CompiledPolicy, 'id' | 'tenant' | 'version' | 'hashSalt' | 'encryptionKey'>;

function rule(minConfidence: number, input: ActionName, output: ActionName = input): ThreatRule {
  const action: Record<DirectionName, ActionName> = { INPUT: input, OUTPUT: output };
  return { minConfidence, action };
}

/**
 * PII entities looked for by default: all the detector supports except URL and DATE_TIME.
 * Those two are personal only in combination with other data, and redacting every link and
 * date in every prompt would break ordinary applications. `entities: []` in a policy means
 * every supported entity, these two included.
 */
export const DEFAULT_PII_ENTITIES: readonly string[] = PII_ENTITY_TYPES.filter((e) => e !== 'URL' && e !== 'DATE_TIME');

/**
 * Why these values:
 * - Injection and jailbreaks are attacks on the model, so they are blocked on the way IN;
 *   in an answer they are only a sign something went wrong upstream (WARN).
 * - Prompt leaks and exfiltration happen in the model's answer, so they are blocked on the
 *   way OUT; in a prompt they are usually people quoting or discussing them (WARN).
 * - PII and secrets are removed in both directions (REDACT) rather than failing the request.
 * - Custom rules carry their own action; CUSTOM_RULE's action is only the fallback.
 * - minConfidence 0.5 for pattern-based detectors. PII 0.4, matched to the PII recognisers'
 *   scores: a valid but unformatted national phone number, a spaced SSN or a DEA number score
 *   exactly 0.4 without context and are kept; "possible" phone numbers (0.35), bare SSN-shaped
 *   digits and NHS numbers (0.15-0.3) need a context word, which lifts them to 0.6-0.95.
 *   REDACT is cheap to get wrong, a leak is not. TOXICITY 0.6 because a lexicon over-fires on
 *   quoted or reclaimed words and WARN is all it does; CUSTOM_RULE 0 because a rule the
 *   operator wrote always counts.
 */
export const BUILT_IN_DEFAULTS: PolicyDefaults = {
  detectors: {
    injection: { enabled: true },
    pii: { enabled: true, entities: [...DEFAULT_PII_ENTITIES], phoneRegions: ['US'] },
    secrets: { enabled: true },
    toxicity: { enabled: true },
  },
  threats: {
    PROMPT_INJECTION: rule(0.5, 'BLOCK', 'WARN'),
    JAILBREAK: rule(0.5, 'BLOCK', 'WARN'),
    PII: rule(0.4, 'REDACT'),
    SECRET: rule(0.5, 'REDACT'),
    DATA_EXFILTRATION: rule(0.5, 'WARN', 'BLOCK'),
    SYSTEM_PROMPT_LEAK: rule(0.5, 'WARN', 'BLOCK'),
    TOXICITY: rule(0.6, 'WARN'),
    CUSTOM_RULE: rule(0, 'BLOCK'),
    UNSAFE_CODE: rule(0.5, 'WARN'),
    MALICIOUS_URL: rule(0.5, 'WARN'),
  },
  // Presidio's default: replace the entity with "<ENTITY_TYPE>".
  operators: { DEFAULT: { type: 'replace' } },
  customRules: [],
  allowPatterns: [],
  failMode: 'closed',
  // The fixed part of the budget: ~1 ms per KB is the target, so 50 ms is generous for
  // prompts; the engine adds a per-KiB allowance so large documents are not failed merely
  // for being large (see scan-budget.ts).
  timeBudgetMs: 50,
};

/** Name of the environment variable holding the process-wide secret for per-tenant hash salts. */
export const HASH_SALT_ENV = 'BULWARK_HASH_SALT';
