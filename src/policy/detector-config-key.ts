/**
 * Which part of a compiled policy a detector is built from, as a key: detectors built from
 * equal keys are interchangeable, so they are built once and shared by every policy (and
 * tenant) with that configuration. Building is the expensive part (RE2 sets, lexicons,
 * models); a file with 100 tenants that differ only in custom rules builds the PII detector once.
 *
 * The assumption, stated for detector authors: a detector's factory reads nothing but
 * `detectors`, `threats`, `operators`, `outputGuards`, `failMode` and `timeBudgetMs` of the policy, except the
 * custom-rule detector, which reads only `customRules`. Identity (tenant, id, version), secrets
 * and the allow-list (applied by the engine) are never detector input.
 */
import { canonicalJson, sha256Hex } from './policy-version.js';
import type { CompiledPolicy } from './types.js';

export const CUSTOM_RULES_DETECTOR = 'custom-rules';

/** Digests per policy object: a key is asked for once per detector, the digest is computed once. */
const digests = new WeakMap<CompiledPolicy, { shared: string; customRules: string }>();

function digestsOf(policy: CompiledPolicy): { shared: string; customRules: string } {
  let d = digests.get(policy);
  if (!d) {
    const { detectors, threats, operators, failMode, timeBudgetMs, outputGuards } = policy;
    d = {
      shared: sha256Hex(canonicalJson({ detectors, threats, operators, failMode, timeBudgetMs, outputGuards })),
      customRules: sha256Hex(canonicalJson(policy.customRules)),
    };
    digests.set(policy, d);
  }
  return d;
}

export function detectorConfigKey(detectorName: string, policy: CompiledPolicy): string {
  const d = digestsOf(policy);
  return `${detectorName}:${detectorName === CUSTOM_RULES_DETECTOR ? d.customRules : d.shared}`;
}
