/** Plain snapshot data ↔ the PolicySnapshot protobuf message (both directions, both sides use it). */
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PolicySnapshotSchema, type PolicySnapshot } from '../../../gen/bulwark/v1/policy_sync_service_pb.js';
import type { TenantSnapshotData } from '../../policy/policy-snapshot.js';

export function snapshotMessage(s: TenantSnapshotData): PolicySnapshot {
  return create(PolicySnapshotSchema, {
    tenantId: s.tenantId,
    version: s.version,
    revision: s.revision,
    policies: s.policies,
    contentDigest: s.contentDigest,
    createTime: timestampFromDate(new Date(s.createdAt)),
  });
}

export function snapshotData(m: PolicySnapshot): TenantSnapshotData {
  return {
    tenantId: m.tenantId,
    version: m.version,
    revision: m.revision,
    policies: m.policies.map((p) => ({ policyId: p.policyId, version: p.version, effectiveYaml: p.effectiveYaml, compiledVersion: p.compiledVersion })),
    contentDigest: m.contentDigest,
    createdAt: m.createTime ? timestampDate(m.createTime).toISOString() : '',
  };
}
