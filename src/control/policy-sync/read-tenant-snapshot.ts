/** Reads a tenant's current policy snapshot from the store. */
import { snapshotDigest, snapshotVersion, type TenantSnapshotData } from '../../policy/policy-snapshot.js';
import type { PolicyRepository } from '../../store/policy-repository.js';

/**
 * The revision is read BEFORE the policies. A change committing in between then makes the
 * content newer than its label, never older: the change's notification finds a higher
 * revision and the snapshot is read again (same content, harmless). The other order could
 * label old content with the new revision, and the newer content would never be sent.
 */
export async function readTenantSnapshot(policies: PolicyRepository, tenantId: string): Promise<TenantSnapshotData> {
  const revision = await policies.latestRevision(tenantId);
  const current = await policies.currentVersions(tenantId);
  const list = current.map((v) => ({ policyId: v.policyId, version: v.version, effectiveYaml: v.effectiveYaml, compiledVersion: v.compiledVersion }));
  return {
    tenantId,
    version: snapshotVersion(revision),
    revision,
    policies: list,
    contentDigest: snapshotDigest(tenantId, list),
    createdAt: new Date().toISOString(),
  };
}
