/**
 * Tenant snapshots → the PolicySet the pool enforces.
 *
 * Each snapshot is compiled on its own with the sidecar's policy loader (`parsePolicySet`,
 * with the sidecar's environment: its BULWARK_HASH_SALT and encryption key variables), so a
 * snapshot this sidecar cannot load is rejected alone and the other tenants stay as they
 * are. The enforced set is the base set (the local policy file, or the built-in default)
 * with each snapshot tenant's policies replacing that tenant's entry; `unknownTenant` stays
 * the base set's.
 */
import { parseAllDocuments } from 'yaml';
import type { PolicyEnvironment } from '../policy/compile-policy.js';
import { parsePolicySet } from '../policy/load-policy.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { TenantSnapshotData } from '../policy/policy-snapshot.js';
import { policySetVersion } from '../policy/policy-version.js';
import type { CompiledPolicy, PolicySet } from '../policy/types.js';

/** One tenant's compiled policies (always including "default"). */
export type TenantPolicies = Record<string, CompiledPolicy>;

/** A tenant with no live policy gets the built-in default, written as a document of its own. */
function defaultDocument(tenantId: string): string {
  return `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  tenant: ${JSON.stringify(tenantId)}\n  name: default\n`;
}

/** Every document must be a Policy of the snapshot's tenant: a snapshot never touches another tenant. */
function checkTenants(snapshot: TenantSnapshotData): void {
  for (const p of snapshot.policies) {
    for (const doc of parseAllDocuments(p.effectiveYaml) as ReturnType<typeof parseAllDocuments> & unknown[]) {
      if (doc.contents === null) continue;
      const tenant: unknown = doc.getIn(['metadata', 'tenant']);
      if (tenant !== snapshot.tenantId) {
        throw new PolicyValidationError(`policy "${p.policyId}" is for tenant "${String(tenant)}", not "${snapshot.tenantId}"`, `snapshot ${snapshot.version}`);
      }
    }
  }
}

/** Validates and compiles a snapshot; throws PolicyValidationError (the NACK message). */
export function compileSnapshot(snapshot: TenantSnapshotData, env: PolicyEnvironment): TenantPolicies {
  checkTenants(snapshot);
  const text = snapshot.policies.length > 0 ? snapshot.policies.map((p) => p.effectiveYaml).join('\n---\n') : defaultDocument(snapshot.tenantId);
  const set = parsePolicySet(text, `${snapshot.tenantId}@${snapshot.version}`, env);
  const policies = set.tenants[snapshot.tenantId];
  if (!policies) throw new PolicyValidationError(`the snapshot defines no policy for tenant "${snapshot.tenantId}"`);
  return policies;
}

/** The base set with every tenant of `overrides` replaced. */
export function composePolicySet(base: PolicySet, overrides: ReadonlyMap<string, TenantPolicies>): PolicySet {
  const tenants: PolicySet['tenants'] = { ...base.tenants };
  for (const [tenant, policies] of overrides) tenants[tenant] = policies;
  const set = { tenants, unknownTenant: base.unknownTenant };
  return { ...set, version: policySetVersion(set) };
}
