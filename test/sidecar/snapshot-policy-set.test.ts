/**
 * Snapshot → compiled tenant policies → the enforced set: the sidecar's own loader and
 * environment decide (a key variable missing here fails here), a snapshot can only define
 * its own tenant, an empty snapshot means the built-in default, and composing replaces only
 * the snapshot's tenants.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPolicySet, parsePolicySet } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import { snapshotDigest, type TenantSnapshotData } from '../../src/policy/policy-snapshot.js';
import { compileSnapshot, composePolicySet } from '../../src/sidecar/snapshot-policy-set.js';

function snap(tenantId: string, docs: string[]): TenantSnapshotData {
  const policies = docs.map((effectiveYaml, i) => ({ policyId: `p${i}`, version: 1, effectiveYaml, compiledVersion: '' }));
  return { tenantId, version: 'r9', revision: 9n, policies, contentDigest: snapshotDigest(tenantId, policies), createdAt: '' };
}
const doc = (tenant: string, name: string, extra = '') =>
  `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  tenant: ${tenant}\n  name: ${name}\nspec:\n  customRules:\n    - id: r-${name}\n      pattern: 'purple\\s+elephant'\n      action: BLOCK\n${extra}`;

describe('snapshot policy sets', () => {
  it('compiles a tenant snapshot with the sidecar environment, adding "default" when absent', () => {
    const policies = compileSnapshot(snap('acme', [doc('acme', 'strict')]), {});
    expect(Object.keys(policies).sort()).toEqual(['default', 'strict']);
    expect(policies.strict!.customRules.map((r) => r.id)).toEqual(['r-strict']);
  });

  it('fails (the NACK reason) when a key variable is missing here, and passes when it is set', () => {
    const encrypted = snap('acme', [doc('acme', 'default', '  encryption:\n    keyEnv: SNAP_KEY\n')]);
    expect(() => compileSnapshot(encrypted, {})).toThrow(/SNAP_KEY is not set/);
    expect(compileSnapshot(encrypted, { SNAP_KEY: randomBytes(32).toString('base64') }).default!.encryptionKey).not.toBe('');
  });

  it('refuses a document of another tenant (or of none)', () => {
    expect(() => compileSnapshot(snap('acme', [doc('acme', 'a'), doc('globex', 'b')]), {})).toThrow(PolicyValidationError);
    expect(() => compileSnapshot(snap('acme', ['apiVersion: bulwark.dev/v1\nkind: Policy\n']), {})).toThrow(/tenant "undefined"/);
  });

  it('an empty snapshot is the built-in default for the tenant', () => {
    const policies = compileSnapshot(snap('acme', []), {});
    expect(Object.keys(policies)).toEqual(['default']);
    expect(policies.default!.customRules).toEqual([]);
  });

  it('composes: snapshot tenants replaced, other tenants and unknownTenant kept from the base', () => {
    const base = parsePolicySet(`apiVersion: bulwark.dev/v1\nkind: PolicySettings\nspec:\n  unknownTenant: reject\n---\n${doc('local', 'default')}---\n${doc('acme', 'old')}`, 'base.yaml', {});
    const set = composePolicySet(base, new Map([['acme', compileSnapshot(snap('acme', [doc('acme', 'new')]), {})]]));
    expect(Object.keys(set.tenants.acme!).sort()).toEqual(['default', 'new']);
    expect(set.tenants.local).toBe(base.tenants.local);
    expect(set.unknownTenant).toBe('reject');
    expect(set.version).not.toBe(base.version);
    expect(composePolicySet(base, new Map()).version).toBe(base.version);
    expect(composePolicySet(defaultPolicySet({}), new Map()).tenants.default).toBeDefined();
  });
});
