/**
 * The plain-data shapes of the policy aggregate (a policy, its immutable versions and its
 * guardrail rules) and the compile step every change goes through.
 */
import type { ActionName, DirectionName, SeverityName } from '../detectors/types.js';

export type GuardrailRuleKindName = 'deny_pattern' | 'deny_phrases' | 'allow_pattern';

/** One guardrail rule as stored (and as snapshotted into a policy version). */
export interface GuardrailRuleData {
  ruleId: string;
  kind: GuardrailRuleKindName;
  /** RE2; deny_pattern and allow_pattern. */
  pattern: string;
  /** deny_phrases. */
  phrases: string[];
  /** Deny rules: required. Empty for allow rules. */
  action: ActionName | '';
  /** Deny rules: empty means the policy format's default (HIGH). */
  severity: SeverityName | '';
  /** Deny rules: empty means both directions. */
  directions: DirectionName[];
  caseSensitive: boolean;
  description: string;
}

/** A stored rule with its policy and timestamps. */
export interface GuardrailRuleRecord extends GuardrailRuleData {
  policyId: string;
  createdAt: string;
  updatedAt: string;
}

export type PolicyChange = 'create' | 'update' | 'delete' | 'rule-create' | 'rule-update' | 'rule-delete';

/** One immutable version of a policy. */
export interface PolicyVersionRecord {
  tenantId: string;
  policyId: string;
  version: number;
  /** Control-plane-wide change number; increases in commit order within a tenant. */
  revision: bigint;
  change: PolicyChange;
  deleted: boolean;
  sourceYaml: string;
  rules: GuardrailRuleData[];
  effectiveYaml: string;
  compiledVersion: string;
  createdBy: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** What the compile step gets: the document as written plus the rules to merge in. */
export interface PolicyCompileInput {
  tenantId: string;
  policyId: string;
  sourceYaml: string;
  rules: GuardrailRuleData[];
}

/** What the compile step returns. */
export interface PolicyCompileOutput {
  /** The merged single-document YAML the sidecar will load. */
  effectiveYaml: string;
  /** The compiled policy's version hash. */
  compiledVersion: string;
}

/**
 * Validates and compiles a policy; throws PolicyValidationError when invalid. Injected into
 * the repositories so each change is compiled inside its own transaction (a document that
 * does not compile is never stored).
 */
export type PolicyCompiler = (input: PolicyCompileInput) => PolicyCompileOutput;
