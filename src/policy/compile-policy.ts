/**
 * Policy document (as written) → CompiledPolicy (every field present): the document's spec
 * merged over the built-in default, secrets read from the environment, version computed.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { DirectionName } from '../detectors/types.js';
import { BUILT_IN_DEFAULTS, CANARY_KEY_ENV, HASH_SALT_ENV } from './default-policy.js';
import { mergeOutputGuards } from './output-guards-schema.js';
import { mergeAgentActions } from './agent-actions-schema.js';
import { CONFIGURABLE_THREAT_TYPES, type PolicyDocumentInput, type PolicySpecInput } from './policy-document-schema.js';
import { policyVersion } from './policy-version.js';
import type { CompiledPolicy, ThreatRule } from './types.js';
import type { IssueCollector } from './validation-issues.js';

/** Where compilation reads secrets from; tests pass their own. */
export type PolicyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * The default per-tenant salt for the `hash` operator: HMAC-SHA256(BULWARK_HASH_SALT, tenant).
 * Per tenant, so equal values of two tenants hash differently; keyed by a process secret, so
 * hashes cannot be recomputed by someone who knows only the tenant id. Without
 * BULWARK_HASH_SALT the key is a fixed public string: hashes are stable but not secret.
 */
export function defaultHashSalt(tenant: string, env: PolicyEnvironment): string {
  const secret = env[HASH_SALT_ENV] || 'bulwark-public-salt-set-BULWARK_HASH_SALT';
  return createHmac('sha256', secret).update(`tenant:${tenant}`).digest('hex');
}

/** Merges one document over the built-in default. Problems go to `issues`; returns undefined then. */
export function compilePolicy(doc: PolicyDocumentInput, env: PolicyEnvironment, issues: IssueCollector): CompiledPolicy | undefined {
  const before = issues.issues.length;
  const spec = doc.spec;
  const d = BUILT_IN_DEFAULTS;
  const operators = { ...d.operators, ...spec.operators };
  const encryptionKey = spec.encryption ? readEncryptionKey(spec.encryption.keyEnv, env, issues) : '';
  if (!spec.encryption) {
    for (const [entity, op] of Object.entries(spec.operators ?? {})) {
      if (op.type === 'encrypt') issues.add(['spec', 'operators', entity], 'the encrypt operator needs spec.encryption.keyEnv');
    }
  }
  const canaryKey = tenantCanaryKey(doc.tenant, spec.outputGuards?.canary?.keyEnv, env, issues);
  if (issues.issues.length !== before) return undefined;
  const compiled: Omit<CompiledPolicy, 'version'> = {
    id: doc.name,
    tenant: doc.tenant,
    detectors: mergeDetectors(spec.detectors),
    threats: mergeThreats(spec.threats),
    operators,
    customRules: spec.customRules ?? [],
    allowPatterns: spec.allowList ?? [],
    failMode: spec.failMode ?? d.failMode,
    timeBudgetMs: spec.timeBudgetMs ?? d.timeBudgetMs,
    hashSalt: spec.hashSalt ?? defaultHashSalt(doc.tenant, env),
    encryptionKey,
    outputGuards: mergeOutputGuards(spec.outputGuards),
    canaryKey,
    agentActions: mergeAgentActions(spec.agentActions),
  };
  return { ...compiled, version: policyVersion(compiled) };
}

/** The built-in default as a compiled policy of one tenant. */
export function compileDefaultPolicy(tenant: string, env: PolicyEnvironment, issues: IssueCollector): CompiledPolicy {
  const policy = compilePolicy({ kind: 'Policy', tenant, name: 'default', labels: {}, spec: {} }, env, issues);
  if (!policy) throw new Error('the built-in default policy failed to compile');
  return policy;
}

function mergeDetectors(input: PolicySpecInput['detectors']): CompiledPolicy['detectors'] {
  const d = BUILT_IN_DEFAULTS.detectors;
  return {
    injection: { enabled: input?.injection?.enabled ?? d.injection.enabled },
    pii: {
      enabled: input?.pii?.enabled ?? d.pii.enabled,
      entities: input?.pii?.entities ?? [...d.pii.entities],
      phoneRegions: input?.pii?.phoneRegions ?? [...d.pii.phoneRegions],
    },
    secrets: { enabled: input?.secrets?.enabled ?? d.secrets.enabled },
    toxicity: { enabled: input?.toxicity?.enabled ?? d.toxicity.enabled },
  };
}

function mergeThreats(input: PolicySpecInput['threats']): CompiledPolicy['threats'] {
  const out = {} as CompiledPolicy['threats'];
  for (const type of CONFIGURABLE_THREAT_TYPES) {
    const base = BUILT_IN_DEFAULTS.threats[type];
    const given = input?.[type];
    const action: Record<DirectionName, ThreatRule['action'][DirectionName]> = {
      INPUT: given?.action?.INPUT ?? base.action.INPUT,
      OUTPUT: given?.action?.OUTPUT ?? base.action.OUTPUT,
    };
    out[type] = { minConfidence: given?.minConfidence ?? base.minConfidence, action };
  }
  return out;
}

/** Canary secrets shorter than this could be brute-forced from the tokens they sign. */
const MIN_CANARY_SECRET_LENGTH = 16;

/**
 * The tenant's canary key: HKDF-SHA256 of the canary secret (the policy's
 * `outputGuards.canary.keyEnv`, else env BULWARK_CANARY_KEY) with the tenant id as info, so
 * one deployment-wide secret yields independent keys per tenant (a token of one tenant never
 * verifies under another) and every sidecar derives the same key without shared state.
 * No secret: "" (canaries unavailable). Returns base64.
 */
export function tenantCanaryKey(tenant: string, keyEnv: string | undefined, env: PolicyEnvironment, issues: IssueCollector): string {
  const name = keyEnv ?? CANARY_KEY_ENV;
  const secret = env[name];
  const path = keyEnv ? ['spec', 'outputGuards', 'canary', 'keyEnv'] : ['spec'];
  if (!secret) {
    if (keyEnv) issues.add(path, `environment variable ${keyEnv} is not set`);
    return '';
  }
  if (secret.length < MIN_CANARY_SECRET_LENGTH) {
    issues.add(path, `environment variable ${name} must hold at least ${MIN_CANARY_SECRET_LENGTH} characters`);
    return '';
  }
  const key = hkdfSync('sha256', secret, 'bulwark-canary-v1', `tenant:${tenant}`, 32);
  return Buffer.from(key).toString('base64');
}

/** The AES-256 key comes from the environment at load time; it never appears in the file. */
function readEncryptionKey(keyEnv: string, env: PolicyEnvironment, issues: IssueCollector): string {
  const path = ['spec', 'encryption', 'keyEnv'];
  const value = env[keyEnv];
  if (!value) {
    issues.add(path, `environment variable ${keyEnv} is not set`);
    return '';
  }
  const bytes = Buffer.from(value, 'base64');
  // Round-trip check: Buffer.from ignores junk, so compare lengths of what it understood.
  if (bytes.length !== 32 || bytes.toString('base64').replace(/=+$/, '') !== value.trim().replace(/=+$/, '')) {
    issues.add(path, `environment variable ${keyEnv} must hold a base64-encoded 32-byte AES-256 key`);
    return '';
  }
  return bytes.toString('base64');
}
