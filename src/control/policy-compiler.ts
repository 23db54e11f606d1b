/**
 * The control plane's compile step for one stored policy: the user's single Policy document,
 * with metadata.tenant/name pinned to the authenticated tenant and the policy id, and the
 * guardrail rules merged into spec.customRules (deny rules) and spec.allowList (allow
 * rules). The merged text is validated by the sidecar's own loader (`parsePolicySet`), so
 * the control plane accepts exactly what a sidecar will load, and stores the compiled
 * policy's version hash.
 *
 * Editing goes through the YAML document model so the user's comments and layout survive
 * in the effective document.
 */
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { parsePolicySet } from '../policy/load-policy.js';
import type { PolicyEnvironment } from '../policy/compile-policy.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { GuardrailRuleData, PolicyCompiler, PolicyCompileInput } from '../store/policy-records.js';

/** Larger documents are refused before parsing. */
export const MAX_POLICY_YAML_BYTES = 256 * 1024;

/** The policy format's custom-rule fields for one stored deny rule. */
function customRuleOf(rule: GuardrailRuleData): Record<string, unknown> {
  const out: Record<string, unknown> = { id: rule.ruleId };
  if (rule.kind === 'deny_phrases') out.phrases = rule.phrases;
  else out.pattern = rule.pattern;
  out.action = rule.action;
  if (rule.severity) out.severity = rule.severity;
  if (rule.directions.length > 0) out.directions = rule.directions;
  if (rule.kind === 'deny_pattern' && rule.caseSensitive) out.caseSensitive = true;
  if (rule.description) out.description = rule.description;
  return out;
}

/** The one Policy document of `yamlText`; errors the loader would report are left to it. */
function singlePolicyDocument(input: PolicyCompileInput, sourceName: string, env: PolicyEnvironment): Document.Parsed {
  if (Buffer.byteLength(input.sourceYaml, 'utf8') > MAX_POLICY_YAML_BYTES) {
    throw new PolicyValidationError(`the document is larger than ${MAX_POLICY_YAML_BYTES / 1024} KiB`, sourceName);
  }
  const docs = parseAllDocuments(input.sourceYaml).filter((d) => d.contents !== null);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) {
    parsePolicySet(input.sourceYaml, sourceName, env); // throws with the loader's located messages
    throw new PolicyValidationError('YAML syntax error', sourceName);
  }
  const [doc, ...rest] = docs;
  if (!doc || rest.length > 0) {
    throw new PolicyValidationError('a stored policy must be exactly one YAML document', sourceName);
  }
  if (!isMap(doc.contents) || doc.get('kind') !== 'Policy') {
    throw new PolicyValidationError('a stored policy must be a document of kind Policy', sourceName);
  }
  return doc;
}

/** Sets metadata.<key> to `value`, refusing a different value already written by the user. */
function pinMetadata(doc: Document, key: 'tenant' | 'name', value: string, what: string, sourceName: string): void {
  const written: unknown = doc.getIn(['metadata', key]);
  if (written !== undefined && written !== null && written !== value) {
    throw new PolicyValidationError(`metadata.${key} is "${String(written)}" but the ${what} is "${value}"`, sourceName);
  }
  doc.setIn(['metadata', key], value);
}

/** Appends `items` to the sequence at `path`, creating it when absent. */
function appendToSequence(doc: Document, path: string[], items: unknown[]): void {
  if (items.length === 0) return;
  const existing = doc.getIn(path, true);
  if (existing === undefined || existing === null || (typeof existing === 'object' && 'value' in existing && existing.value === null)) {
    doc.setIn(path, doc.createNode(items));
    return;
  }
  // A non-sequence here is a user error the loader reports; appending is then pointless.
  if (!isSeq(existing)) return;
  for (const item of items) existing.add(doc.createNode(item));
}

/** The effective document's text (what the sidecar loads). */
export function effectivePolicyYaml(input: PolicyCompileInput, env: PolicyEnvironment = process.env): string {
  const sourceName = `${input.policyId}.yaml`;
  const doc = singlePolicyDocument(input, sourceName, env);
  pinMetadata(doc, 'tenant', input.tenantId, "caller's tenant", sourceName);
  pinMetadata(doc, 'name', input.policyId, 'policy id', sourceName);
  appendToSequence(doc, ['spec', 'customRules'], input.rules.filter((r) => r.kind !== 'allow_pattern').map(customRuleOf));
  appendToSequence(doc, ['spec', 'allowList'], input.rules.filter((r) => r.kind === 'allow_pattern').map((r) => r.pattern));
  return doc.toString();
}

/**
 * The compiler the repositories use. `env` supplies what the loader reads from the
 * environment (BULWARK_HASH_SALT, encryption key variables): give the control plane the same
 * values as the sidecars, or versions will differ and `encryption.keyEnv` will not validate.
 */
export function createPolicyCompiler(env: PolicyEnvironment = process.env): PolicyCompiler {
  return (input) => {
    const effectiveYaml = effectivePolicyYaml(input, env);
    const set = parsePolicySet(effectiveYaml, `${input.policyId}.yaml`, env);
    const compiled = set.tenants[input.tenantId]?.[input.policyId];
    if (!compiled) throw new Error(`compiled set lacks ${input.tenantId}/${input.policyId}`);
    return { effectiveYaml, compiledVersion: compiled.version };
  };
}

/** metadata.name of a single-document YAML text, if it names one (used when the request omits the id). */
export function declaredPolicyName(yamlText: string): string | undefined {
  try {
    const docs = parseAllDocuments(yamlText);
    if (!Array.isArray(docs) || docs.length !== 1) return undefined;
    const name: unknown = docs[0]?.getIn(['metadata', 'name']);
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
