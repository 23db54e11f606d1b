/**
 * A tenant's policy snapshot as plain data: what the control plane pushes, what a sidecar
 * validates, enforces and keeps on disk. Shared by both sides so the content digest is
 * computed one way only.
 */
import { canonicalJson, sha256Hex } from './policy-version.js';

/** The current version of one policy of the tenant. */
export interface SnapshotPolicyData {
  policyId: string;
  version: number;
  /** One `kind: Policy` YAML document: what the sidecar loads. */
  effectiveYaml: string;
  /** As the control plane compiled it (display only). */
  compiledVersion: string;
}

/** The complete policy set of one tenant at one revision. */
export interface TenantSnapshotData {
  tenantId: string;
  /** "r<revision>". */
  version: string;
  revision: bigint;
  /** Ordered by policy id; empty means the built-in default policy. */
  policies: SnapshotPolicyData[];
  /** {@link snapshotDigest} of tenantId + policies. */
  contentDigest: string;
  /** ISO-8601 UTC: when the control plane read it. */
  createdAt: string;
}

/** The version string of a tenant revision. */
export function snapshotVersion(revision: bigint): string {
  return `r${revision.toString()}`;
}

/** "sha256:<hex>" over the canonical JSON of what is enforced (not the version or time). */
export function snapshotDigest(tenantId: string, policies: readonly SnapshotPolicyData[]): string {
  const content = policies.map((p) => ({ policyId: p.policyId, version: p.version, effectiveYaml: p.effectiveYaml, compiledVersion: p.compiledVersion }));
  return `sha256:${sha256Hex(canonicalJson({ tenantId, policies: content }))}`;
}
