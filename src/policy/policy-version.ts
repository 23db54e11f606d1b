/**
 * Stable content versions: `sha256:<12 hex>` of a canonical JSON rendering (object keys
 * sorted), so the same policy file gives the same version in every process and on every run,
 * and any change to what is enforced gives a new one.
 */
import { createHash } from 'node:crypto';
import type { CompiledPolicy, PolicySet } from './types.js';

/** JSON with object keys sorted at every level; arrays keep their order (it is meaningful). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function versionOf(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value)).slice(0, 12)}`;
}

/**
 * The version of one compiled policy. Secrets (hash salt, encryption key) enter only as
 * digests: rotating them changes the version (outputs change) without the version string
 * being derived from the secret in a reusable way.
 */
export function policyVersion(policy: Omit<CompiledPolicy, 'version'>): string {
  const { hashSalt, encryptionKey, canaryKey, ...rest } = policy;
  return versionOf({
    ...rest,
    hashSaltDigest: sha256Hex(`salt:${hashSalt}`),
    encryptionKeyDigest: encryptionKey ? sha256Hex(`key:${encryptionKey}`) : '',
    // Absent for policies without one, so their versions are unchanged.
    canaryKeyDigest: canaryKey ? sha256Hex(`canary:${canaryKey}`) : undefined,
  });
}

/** The version of a whole set: changes when any policy or a set-wide setting changes. */
export function policySetVersion(set: Omit<PolicySet, 'version'>): string {
  const versions: string[] = [];
  for (const tenant of Object.keys(set.tenants).sort()) {
    const policies = set.tenants[tenant] ?? {};
    for (const id of Object.keys(policies).sort()) versions.push(`${tenant}/${id}=${policies[id]?.version ?? ''}`);
  }
  return versionOf({ policies: versions, unknownTenant: set.unknownTenant });
}
