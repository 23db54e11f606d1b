/**
 * Test fixtures: a CompiledPolicy with every field present, and hand-built AnalyzedText values,
 * so detector tests do not depend on the policy loader or the normaliser.
 */
import type { CompiledPolicy, CustomRuleSpec, ThreatRule } from '../../src/policy/types.js';
import type { AnalyzedText, TextSpan, TextView } from '../../src/detectors/types.js';

const threat = (): ThreatRule => ({ minConfidence: 0.5, action: { INPUT: 'BLOCK', OUTPUT: 'REDACT' } });

/** A compiled policy with all detectors on and no custom rules; override what a test needs. */
export function compiledPolicy(overrides: Partial<CompiledPolicy> = {}): CompiledPolicy {
  return {
    id: 'default',
    tenant: 'test-tenant',
    version: 'v1',
    detectors: {
      injection: { enabled: true },
      pii: { enabled: true, entities: [], phoneRegions: ['US'] },
      secrets: { enabled: true },
      toxicity: { enabled: true },
    },
    threats: {
      PROMPT_INJECTION: threat(),
      JAILBREAK: threat(),
      PII: threat(),
      SECRET: threat(),
      DATA_EXFILTRATION: threat(),
      SYSTEM_PROMPT_LEAK: threat(),
      TOXICITY: threat(),
      CUSTOM_RULE: threat(),
      UNSAFE_CODE: threat(),
      MALICIOUS_URL: threat(),
    },
    operators: { DEFAULT: { type: 'replace' } },
    customRules: [],
    allowPatterns: [],
    failMode: 'closed',
    timeBudgetMs: 50,
    hashSalt: 'salt',
    encryptionKey: '',
    ...overrides,
  };
}

/** A custom rule spec with defaults (both directions, BLOCK, HIGH, case-insensitive). */
export function customRule(overrides: Partial<CustomRuleSpec> & { id: string }): CustomRuleSpec {
  return {
    action: 'BLOCK',
    severity: 'HIGH',
    directions: ['INPUT', 'OUTPUT'],
    caseSensitive: false,
    ...overrides,
  };
}

const identity = (start: number, end: number): TextSpan => ({ start, end });

/** Only the original view. */
export function originalOnly(text: string): AnalyzedText {
  return { original: text, views: [{ kind: 'original', text, toOriginal: identity }] };
}

/** The original plus extra views (normalised / decoded) built by the test. */
export function withViews(original: string, extra: TextView[]): AnalyzedText {
  return { original, views: [{ kind: 'original', text: original, toOriginal: identity }, ...extra] };
}

/** A decoded view whose every span maps to the encoded run [runStart, runEnd) of the original. */
export function decodedView(decoded: string, runStart: number, runEnd: number): TextView {
  return { kind: 'decoded', text: decoded, encoding: 'base64', depth: 1, toOriginal: () => ({ start: runStart, end: runEnd }) };
}
