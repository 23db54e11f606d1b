/** Tenant id + policy id → the compiled policy that applies, or NOT_FOUND. */
import type { CompiledPolicy, PolicySet } from '../policy/types.js';
import { EngineError } from './engine-error.js';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_POLICY = 'default';

/**
 * "" means "default" for both ids. A tenant missing from the set gets the "default" tenant's
 * policies, or NOT_FOUND when the set says `unknownTenant: reject`. A policy id the tenant does
 * not have is NOT_FOUND (never silently another policy: the caller asked for a specific one).
 * Messages name ids only, which callers sent themselves.
 */
export function resolvePolicy(set: PolicySet, tenantId: string, policyId: string): CompiledPolicy {
  const tenant = tenantId || DEFAULT_TENANT;
  const id = policyId || DEFAULT_POLICY;
  // Own properties only: "constructor" or "__proto__" must not resolve to Object's members.
  let policies = Object.hasOwn(set.tenants, tenant) ? set.tenants[tenant] : undefined;
  if (!policies) {
    if (set.unknownTenant === 'reject') throw new EngineError('NOT_FOUND', `unknown tenant "${tenant}"`);
    policies = set.tenants[DEFAULT_TENANT];
  }
  const policy = policies && Object.hasOwn(policies, id) ? policies[id] : undefined;
  if (!policy) throw new EngineError('NOT_FOUND', `tenant "${tenant}" has no policy "${id}"`);
  return policy;
}
