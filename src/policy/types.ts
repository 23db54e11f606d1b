/**
 * The compiled form of a policy: every field present, every default applied, every
 * pattern validated. Produced once at the edge (policy loading); consumed by the engine
 * and the detector factories in every worker thread. Must stay structured-cloneable
 * (plain data) because it crosses thread boundaries.
 */
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../detectors/types.js';

export type FailMode = 'closed' | 'open';

/** What the policy does with findings of one threat type. */
export interface ThreatRule {
  /** Findings below this confidence are dropped. */
  minConfidence: number;
  /** The action for a finding of this type in each direction. */
  action: Record<DirectionName, ActionName>;
}

/** An anonymizer operator for one entity type (Presidio's operator names). */
export type OperatorConfig =
  | { type: 'replace'; newValue?: string }
  | { type: 'redact' }
  | { type: 'mask'; maskingChar: string; charsToMask: number; fromEnd: boolean }
  | { type: 'hash' }
  | { type: 'encrypt' }
  | { type: 'keep' };

/** A custom guardrail rule as written in the policy (validated, not yet compiled to RE2). */
export interface CustomRuleSpec {
  id: string;
  /** RE2 syntax. Exactly one of pattern / phrases is set. */
  pattern?: string;
  /** Deny-listed phrases, matched case-insensitively on normalised text, whole words. */
  phrases?: string[];
  action: ActionName;
  severity: SeverityName;
  directions: DirectionName[];
  caseSensitive: boolean;
  description?: string;
}

export interface CompiledPolicy {
  /** Policy id (metadata.name), unique within a tenant. */
  id: string;
  tenant: string;
  /** Opaque version string; every response carries it. */
  version: string;
  detectors: {
    injection: { enabled: boolean };
    pii: {
      enabled: boolean;
      /** Presidio entity names to look for; empty = all supported. */
      entities: string[];
      /** Regions for phone number parsing, e.g. ["US", "GB"]. */
      phoneRegions: string[];
    };
    secrets: { enabled: boolean };
    toxicity: { enabled: boolean };
  };
  threats: Record<Exclude<ThreatTypeName, 'SCANNER_ERROR'>, ThreatRule>;
  /** Operator per entity type; key "DEFAULT" applies to everything not listed. */
  operators: Record<string, OperatorConfig>;
  customRules: CustomRuleSpec[];
  /** RE2 patterns; a finding whose span is fully inside a match of one is dropped. */
  allowPatterns: string[];
  failMode: FailMode;
  /** Per-scan time budget in milliseconds; over it the fail mode decides. */
  timeBudgetMs: number;
  /** Salt for the `hash` operator (per tenant). */
  hashSalt: string;
  /** Base64 AES-256 key for the `encrypt` operator; empty = encrypt unavailable (validation error if used). */
  encryptionKey: string;
}

/** All policies the sidecar enforces, by tenant. */
export interface PolicySet {
  /** Version of the whole set (changes whenever any policy changes). */
  version: string;
  /** tenant → policy id → policy. Every tenant has a policy named "default". */
  tenants: Record<string, Record<string, CompiledPolicy>>;
  /** What to do for a tenant not in `tenants`. */
  unknownTenant: 'default' | 'reject';
}
