/**
 * The built-in default policy. It applies when no policy file is given, and every policy
 * document is merged over it (a document only states what it changes).
 *
 * The README's policy reference documents these values; a test checks the two agree.
 */
import type { ActionName, DirectionName } from '../detectors/types.js';
import { PII_ENTITY_TYPES } from '../detectors/pii/entities.js';
import type { CompiledPolicy, OutputGuardsConfig, ThreatRule } from './types.js';

/** The parts of a compiled policy that do not depend on tenant, name or secrets. */
export type PolicyDefaults = Omit<CompiledPolicy, 'id' | 'tenant' | 'version' | 'hashSalt' | 'encryptionKey' | 'canaryKey' | 'outputGuards'> & {
  outputGuards: OutputGuardsConfig;
};

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
 * Output guards. Bulk thresholds: more than 10 of one kind of personal data (5 for card, SSN,
 * IBAN and bank numbers), more than 3 credentials or more than 5 rows of personal records in one
 * answer is a dump, not an answer. `minMatchedWords` 8: fewer distinctive words of a system
 * prompt are indistinguishable from shared vocabulary.
 */
export const DEFAULT_OUTPUT_GUARDS: OutputGuardsConfig = {
  systemPromptLeak: { enabled: true, minMatchedWords: 8 },
  exfiltration: { enabled: true, allowedDomains: [], wellKnownDomains: true, secretAction: 'BLOCK' },
  bulkDisclosure: {
    enabled: true,
    maxEntities: { DEFAULT: 10, CREDIT_CARD: 5, US_SSN: 5, IBAN_CODE: 5, US_BANK_NUMBER: 5 },
    maxSecrets: 3,
    maxRecordRows: 5,
    action: 'BLOCK',
  },
  hijack: { enabled: true, action: 'BLOCK' },
  unsafeCode: { enabled: true },
  maliciousUrls: { enabled: true },
};

/**
 * Why these values:
 * - Injection and jailbreaks are attacks on the model, so they are blocked on the way IN;
 *   in an answer they are only a sign something went wrong upstream (WARN).
 * - Prompt leaks happen in the model's answer, so they are blocked on the way OUT; in a prompt
 *   they are usually people quoting or discussing them (WARN). Exfiltration through a link is
 *   REDACTed on the way out: the link goes (operator "[link removed]"), the rest of the answer
 *   stays; a link carrying a credential and bulk disclosure are blocked (their findings carry
 *   `outputGuards.exfiltration.secretAction` / `bulkDisclosure.action`).
 * - An answer obeying a reply an injected input demanded is blocked (`outputGuards.hijack.action`,
 *   carried by the finding), while PROMPT_INJECTION found in answers on its own stays WARN.
 * - Unsafe code and suspicious URLs in answers are often legitimate (install scripts, lab IPs):
 *   WARN, so applications can surface them without breaking answers.
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
    DATA_EXFILTRATION: rule(0.5, 'WARN', 'REDACT'),
    SYSTEM_PROMPT_LEAK: rule(0.5, 'WARN', 'BLOCK'),
    TOXICITY: rule(0.6, 'WARN'),
    CUSTOM_RULE: rule(0, 'BLOCK'),
    UNSAFE_CODE: rule(0.5, 'WARN'),
    MALICIOUS_URL: rule(0.5, 'WARN'),
  },
  // Presidio's default: replace the entity with "<ENTITY_TYPE>". An exfiltrating link or tag is
  // removed with a short notice, so the reader sees that something was taken out.
  operators: { DEFAULT: { type: 'replace' }, DATA_EXFILTRATION: { type: 'replace', newValue: '[link removed]' } },
  customRules: [],
  allowPatterns: [],
  failMode: 'closed',
  // The fixed part of the budget: ~1 ms per KB is the target, so 50 ms is generous for
  // prompts; the engine adds a per-KiB allowance so large documents are not failed merely
  // for being large (see scan-budget.ts).
  timeBudgetMs: 50,
  outputGuards: DEFAULT_OUTPUT_GUARDS,
};

/** Name of the environment variable holding the deployment-wide secret canary keys are derived from. */
export const CANARY_KEY_ENV = 'BULWARK_CANARY_KEY';

/** Name of the environment variable holding the process-wide secret for per-tenant hash salts. */
export const HASH_SALT_ENV = 'BULWARK_HASH_SALT';
