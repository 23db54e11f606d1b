/**
 * Helpers for the PII tests: a complete CompiledPolicy built here (independent of the
 * policy loader), and a scan function returning findings above a threshold.
 */
import { createPiiDetector } from '../../src/detectors/pii-recognizers.js';
import type { AnalyzedText, Detector, Finding, TextSpan } from '../../src/detectors/types.js';
import type { CompiledPolicy, ThreatRule } from '../../src/policy/types.js';

const rule = (): ThreatRule => ({ minConfidence: 0.4, action: { INPUT: 'REDACT', OUTPUT: 'REDACT' } });

export function piiPolicy(pii: Partial<CompiledPolicy['detectors']['pii']> = {}): CompiledPolicy {
  return {
    id: 'default',
    tenant: 'pii-tests',
    version: '1',
    detectors: {
      injection: { enabled: false },
      pii: { enabled: true, entities: [], phoneRegions: ['US'], ...pii },
      secrets: { enabled: false },
      toxicity: { enabled: false },
    },
    threats: {
      PROMPT_INJECTION: rule(), JAILBREAK: rule(), PII: rule(), SECRET: rule(), DATA_EXFILTRATION: rule(),
      SYSTEM_PROMPT_LEAK: rule(), TOXICITY: rule(), CUSTOM_RULE: rule(), UNSAFE_CODE: rule(), MALICIOUS_URL: rule(),
    },
    operators: {},
    customRules: [],
    allowPatterns: [],
    failMode: 'closed',
    timeBudgetMs: 50,
    hashSalt: 'salt',
    encryptionKey: '',
  };
}

const identity = (start: number, end: number): TextSpan => ({ start, end });

export function originalOnly(text: string): AnalyzedText {
  return { original: text, views: [{ kind: 'original', text, toOriginal: identity }] };
}

let shared: Detector | null = null;

/** The all-entities US detector, built once per test file. */
export function detector(): Detector {
  shared ??= createPiiDetector(piiPolicy());
  if (!shared) throw new Error('PII detector unexpectedly disabled');
  return shared;
}

/** The shipped default PII threshold (policy minConfidence). */
export const THRESHOLD = 0.4;

export interface Hit {
  entity: string;
  value: string;
  confidence: number;
}

/** Findings at or above `threshold`, as entity + matched text. */
export function scan(text: string, threshold = THRESHOLD, d: Detector = detector()): Hit[] {
  return d
    .detect({ text: originalOnly(text), direction: 'INPUT' })
    .filter((f) => f.confidence >= threshold)
    .map((f: Finding) => ({ entity: f.entityType ?? '', value: text.slice(f.spans[0]!.start, f.spans[0]!.end), confidence: f.confidence }));
}

/** The values found for one entity type. */
export function found(text: string, entity: string, threshold = THRESHOLD): string[] {
  return scan(text, threshold).filter((h) => h.entity === entity).map((h) => h.value);
}

/** The confidence of the one finding of `entity` (any threshold), or 0. */
export function confidenceOf(text: string, entity: string): number {
  return scan(text, 0).find((h) => h.entity === entity)?.confidence ?? 0;
}
