/**
 * The sidecar fleet. Written by the control plane itself (platform scope) as sidecars
 * connect, acknowledge or reject policy versions and disconnect; read by tenant admins
 * (tenant scope), who see only the sidecars serving their tenant and only their own
 * tenant's status on them.
 */
import type { Database } from './database.js';
import { asPlatform, inTenant } from './scoped-session.js';
import { translateConstraintError } from './store-error.js';

/** One sidecar as seen by one tenant. */
export interface SidecarStatusRecord {
  nodeId: string;
  /** The tenants visible to the reader (in tenant scope: just the reader's). */
  tenantIds: string[];
  connected: boolean;
  sidecarVersion: string;
  /** ISO-8601 UTC. */
  lastSeenAt: string;
  ackedPolicyVersion: string;
  /** ISO-8601 UTC, or '' when never acknowledged. */
  ackedAt: string;
  nackedPolicyVersion: string;
  nackError: string;
  nackedAt: string;
}

/** What a sidecar reports when it connects (or on a heartbeat). */
export interface SidecarHello {
  nodeId: string;
  sidecarVersion: string;
  /** The tenants it serves now; statuses of tenants no longer listed are dropped. */
  tenantIds: string[];
}

/** One ACK (no `error`) or NACK of a policy version by a sidecar, for one tenant. */
export interface PolicyResult {
  nodeId: string;
  tenantId: string;
  policyVersion: string;
  error?: string;
}

const NACK_ERROR_LIMIT = 2000;

export class FleetRepository {
  constructor(private readonly db: Database) {}

  /** Registers or refreshes a connected sidecar and the set of tenants it serves. */
  async upsertSidecarStatus(hello: SidecarHello): Promise<void> {
    try {
      await asPlatform(this.db, async (tx) => {
        await tx.query(
          `INSERT INTO sidecars (node_id, sidecar_version, connected) VALUES ($1, $2, true)
           ON CONFLICT (node_id) DO UPDATE SET sidecar_version = EXCLUDED.sidecar_version, connected = true, last_seen_at = now()`,
          [hello.nodeId, hello.sidecarVersion],
        );
        await tx.query(`DELETE FROM sidecar_tenants WHERE node_id = $1 AND NOT (tenant_id = ANY($2::text[]))`, [hello.nodeId, hello.tenantIds]);
        await tx.query(
          `INSERT INTO sidecar_tenants (tenant_id, node_id) SELECT t, $1 FROM unnest($2::text[]) AS t
           ON CONFLICT (tenant_id, node_id) DO NOTHING`,
          [hello.nodeId, hello.tenantIds],
        );
      });
    } catch (err) {
      translateConstraintError(err);
    }
  }

  /** The sidecar applied `policyVersion` for the tenant. */
  async recordPolicyAck(nodeId: string, tenantId: string, policyVersion: string): Promise<void> {
    await this.upsertTenantStatus(
      nodeId,
      tenantId,
      `acked_policy_version = $3, acked_at = now()`,
      [policyVersion],
    );
  }

  /** The sidecar rejected `policyVersion` for the tenant (it keeps enforcing its previous one). */
  async recordPolicyNack(nodeId: string, tenantId: string, policyVersion: string, error: string): Promise<void> {
    await this.upsertTenantStatus(
      nodeId,
      tenantId,
      `nacked_policy_version = $3, nack_error = $4, nacked_at = now()`,
      [policyVersion, error.slice(0, NACK_ERROR_LIMIT)],
    );
  }

  /**
   * Many ACK/NACK outcomes in one transaction of five statements, whatever their number (the
   * push service collects those of all streams for a few milliseconds). For each (node,
   * tenant) the last ACK and the last NACK of the list win. Nodes and tenants must exist.
   */
  async recordPolicyResults(results: readonly PolicyResult[]): Promise<void> {
    if (results.length === 0) return;
    const acks = new Map<string, PolicyResult>();
    const nacks = new Map<string, PolicyResult>();
    for (const r of results) (r.error === undefined ? acks : nacks).set(`${r.nodeId}\u0000${r.tenantId}`, r);
    const column = (list: Iterable<PolicyResult>, pick: (r: PolicyResult) => string) => [...list].map(pick);
    try {
      await asPlatform(this.db, async (tx) => {
        await tx.query(`UPDATE sidecars SET last_seen_at = now() WHERE node_id = ANY($1::text[])`, [[...new Set(results.map((r) => r.nodeId))]]);
        await tx.query(
          `INSERT INTO sidecar_tenants (node_id, tenant_id) SELECT n, t FROM unnest($1::text[], $2::text[]) AS u(n, t)
           ON CONFLICT (tenant_id, node_id) DO NOTHING`,
          [results.map((r) => r.nodeId), results.map((r) => r.tenantId)],
        );
        if (acks.size > 0) {
          await tx.query(
            `UPDATE sidecar_tenants st SET acked_policy_version = u.v, acked_at = now(), updated_at = now()
             FROM unnest($1::text[], $2::text[], $3::text[]) AS u(n, t, v) WHERE st.node_id = u.n AND st.tenant_id = u.t`,
            [column(acks.values(), (r) => r.nodeId), column(acks.values(), (r) => r.tenantId), column(acks.values(), (r) => r.policyVersion)],
          );
        }
        if (nacks.size > 0) {
          await tx.query(
            `UPDATE sidecar_tenants st SET nacked_policy_version = u.v, nack_error = u.e, nacked_at = now(), updated_at = now()
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(n, t, v, e) WHERE st.node_id = u.n AND st.tenant_id = u.t`,
            [
              column(nacks.values(), (r) => r.nodeId),
              column(nacks.values(), (r) => r.tenantId),
              column(nacks.values(), (r) => r.policyVersion),
              column(nacks.values(), (r) => (r.error ?? '').slice(0, NACK_ERROR_LIMIT)),
            ],
          );
        }
      });
    } catch (err) {
      translateConstraintError(err);
    }
  }

  /**
   * A connected sidecar is still there (periodic, while its stream is open). Also repairs
   * `connected` when another replica marked the node disconnected after it had reconnected.
   */
  async touchSidecar(nodeId: string): Promise<void> {
    await asPlatform(this.db, (tx) => tx.query(`UPDATE sidecars SET connected = true, last_seen_at = now() WHERE node_id = $1`, [nodeId]));
  }

  /** The sidecar's stream ended. */
  async markDisconnected(nodeId: string): Promise<void> {
    await asPlatform(this.db, (tx) => tx.query(`UPDATE sidecars SET connected = false, last_seen_at = now() WHERE node_id = $1`, [nodeId]));
  }

  /** Sidecars serving `tenantId`, ordered by node id. */
  async listSidecars(tenantId: string, options: { connectedOnly?: boolean } = {}): Promise<SidecarStatusRecord[]> {
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<Record<string, unknown>>(
        `SELECT s.node_id, s.sidecar_version, s.connected, bulwark_iso(s.last_seen_at) AS last_seen_at,
           array_agg(st.tenant_id ORDER BY st.tenant_id) AS tenant_ids,
           max(st.acked_policy_version) AS acked_policy_version, max(bulwark_iso(st.acked_at)) AS acked_at,
           max(st.nacked_policy_version) AS nacked_policy_version, max(st.nack_error) AS nack_error,
           max(bulwark_iso(st.nacked_at)) AS nacked_at
         FROM sidecars s JOIN sidecar_tenants st ON st.node_id = s.node_id
         WHERE ($1::boolean = false OR s.connected)
         GROUP BY s.node_id ORDER BY s.node_id`,
        [options.connectedOnly ?? false],
      );
      return rows.map((r) => ({
        nodeId: String(r.node_id),
        tenantIds: Array.isArray(r.tenant_ids) ? r.tenant_ids.map(String) : [],
        connected: r.connected === true,
        sidecarVersion: String(r.sidecar_version ?? ''),
        lastSeenAt: String(r.last_seen_at ?? ''),
        ackedPolicyVersion: String(r.acked_policy_version ?? ''),
        ackedAt: String(r.acked_at ?? ''),
        nackedPolicyVersion: String(r.nacked_policy_version ?? ''),
        nackError: String(r.nack_error ?? ''),
        nackedAt: String(r.nacked_at ?? ''),
      }));
    });
  }

  private async upsertTenantStatus(nodeId: string, tenantId: string, assignments: string, extra: unknown[]): Promise<void> {
    try {
      await asPlatform(this.db, async (tx) => {
        await tx.query(`UPDATE sidecars SET last_seen_at = now() WHERE node_id = $1`, [nodeId]);
        await tx.query(
          `INSERT INTO sidecar_tenants (node_id, tenant_id) VALUES ($1, $2) ON CONFLICT (tenant_id, node_id) DO NOTHING`,
          [nodeId, tenantId],
        );
        await tx.query(`UPDATE sidecar_tenants SET ${assignments}, updated_at = now() WHERE node_id = $1 AND tenant_id = $2`, [nodeId, tenantId, ...extra]);
      });
    } catch (err) {
      translateConstraintError(err); // unknown node or unregistered tenant
    }
  }
}
