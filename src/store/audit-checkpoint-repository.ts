/**
 * Audit-log checkpoints shipped by sidecars: idempotent batch insert (a retried batch adds
 * nothing) and listing by sidecar then sequence, oldest first, with cursor pagination.
 */
import type { Database } from './database.js';
import { decodePageToken, effectivePageSize, queryFingerprint, toPage, type Page } from './page-token.js';
import { inTenant } from './scoped-session.js';
import { toNumber } from './sql-values.js';
import { translateConstraintError } from './store-error.js';

export interface AuditCheckpointData {
  sidecarId: string;
  seq: number;
  headHash: string;
  /** ISO 8601 with milliseconds, exactly as the sidecar wrote it (the MAC covers it). */
  checkpointTime: string;
  mac: string;
  /** Set when read back. */
  receivedAt?: string;
}

const INSERT_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(sidecar_id text, seq bigint, head_hash text, checkpoint_time timestamptz, mac text)
), inserted AS (
  INSERT INTO audit_checkpoints (tenant_id, sidecar_id, seq, head_hash, checkpoint_time, mac)
  SELECT bulwark_current_tenant(), sidecar_id, seq, head_hash, checkpoint_time, mac FROM input
  ON CONFLICT (tenant_id, sidecar_id, seq) DO NOTHING
  RETURNING 1
)
SELECT count(*)::integer AS accepted FROM inserted`;

interface CheckpointRow {
  sidecar_id: string;
  seq: unknown;
  head_hash: string;
  checkpoint_time: string;
  mac: string;
  received_at: string;
}

export class AuditCheckpointRepository {
  constructor(private readonly db: Database) {}

  /** Stores one tenant's checkpoints; ones already stored count as duplicates. */
  async ingest(tenantId: string, checkpoints: readonly AuditCheckpointData[]): Promise<{ accepted: number; duplicates: number }> {
    if (checkpoints.length === 0) return { accepted: 0, duplicates: 0 };
    const payload = checkpoints.map((c) => ({ sidecar_id: c.sidecarId, seq: c.seq, head_hash: c.headHash, checkpoint_time: c.checkpointTime, mac: c.mac }));
    try {
      const accepted = await inTenant(this.db, tenantId, async (tx) => {
        const { rows } = await tx.query<{ accepted: unknown }>(INSERT_SQL, [JSON.stringify(payload)]);
        return toNumber(rows[0]?.accepted);
      });
      return { accepted, duplicates: checkpoints.length - accepted };
    } catch (err) {
      translateConstraintError(err, { tenantId });
    }
  }

  /** Checkpoints by (sidecar, seq) ascending; `sidecarId` '' = every sidecar. */
  async list(tenantId: string, sidecarId: string, options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<AuditCheckpointData>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'audit-checkpoints', sidecarId });
    const after = decodePageToken(options.pageToken, fingerprint, 2);
    const params: unknown[] = [sidecarId];
    let cursor = '';
    if (after) {
      params.push(after[0], after[1]);
      cursor = ' AND (sidecar_id, seq) > ($2::text, $3::bigint)';
    }
    params.push(size + 1);
    try {
      return await inTenant(this.db, tenantId, async (tx) => {
        const { rows } = await tx.query<CheckpointRow>(
          `SELECT sidecar_id, seq, head_hash, bulwark_iso(checkpoint_time) AS checkpoint_time, mac, bulwark_iso(received_at) AS received_at
           FROM audit_checkpoints WHERE ($1 = '' OR sidecar_id = $1)${cursor}
           ORDER BY sidecar_id, seq LIMIT $${params.length}`,
          params,
        );
        const toData = (r: CheckpointRow): AuditCheckpointData => ({
          sidecarId: r.sidecar_id,
          seq: toNumber(r.seq),
          headHash: r.head_hash,
          checkpointTime: r.checkpoint_time,
          mac: r.mac,
          receivedAt: r.received_at,
        });
        return toPage(rows, size, toData, (r) => [r.sidecar_id, toNumber(r.seq)], fingerprint);
      });
    } catch (err) {
      translateConstraintError(err, { tenantId });
    }
  }
}
