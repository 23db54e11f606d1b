/**
 * Scan records and threat detections: idempotent batch ingest, filtered listing with
 * stable cursor pagination, and the retention purge.
 */
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../detectors/types.js';
import type { Database, SqlExecutor } from './database.js';
import { decodePageToken, effectivePageSize, queryFingerprint, toPage, type Page } from './page-token.js';
import { recordFilterSql } from './record-filter-sql.js';
import type { IngestResult, RecordFilterData, ScanRecordData, ThreatDetectionData, ThreatSummaryData } from './record-types.js';
import { inTenant } from './scoped-session.js';
import { translateConstraintError } from './store-error.js';
import { toNumber } from './sql-values.js';
import type { TenantRepository } from './tenant-repository.js';

// One statement per batch: the records arrive as one JSON parameter; detections are inserted
// only for records that were new (a retried batch adds nothing, not even detections).
const INGEST_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
    scan_id uuid, occurred_at timestamptz, direction text, action text, request_id text, agent_id text,
    sidecar_id text, policy_id text, policy_version text, content_hash text, content_length integer,
    entity_counts jsonb, threats jsonb, latency_ms double precision)
),
inserted AS (
  INSERT INTO scan_records (tenant_id, scan_id, occurred_at, direction, action, request_id, agent_id, sidecar_id,
    policy_id, policy_version, content_hash, content_length, entity_counts, threat_count, latency_ms)
  SELECT bulwark_current_tenant(), scan_id, occurred_at, direction, action, request_id, agent_id, sidecar_id,
    policy_id, policy_version, content_hash, content_length, entity_counts, jsonb_array_length(threats), latency_ms
  FROM input
  ON CONFLICT (tenant_id, scan_id) DO NOTHING
  RETURNING scan_id
),
detections AS (
  INSERT INTO threat_detections (tenant_id, scan_id, ordinal, occurred_at, direction, agent_id, policy_version,
    threat_type, severity, rule_id, detector, entity_type, finding_count, action)
  SELECT bulwark_current_tenant(), i.scan_id, (t.ord - 1)::integer, i.occurred_at, i.direction, i.agent_id, i.policy_version,
    t.threat->>'type', t.threat->>'severity', t.threat->>'ruleId', t.threat->>'detector', t.threat->>'entityType',
    (t.threat->>'count')::integer, t.threat->>'action'
  FROM input i
  JOIN inserted USING (scan_id)
  CROSS JOIN LATERAL jsonb_array_elements(i.threats) WITH ORDINALITY AS t(threat, ord)
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted)::integer AS accepted`;

const RECORD_COLUMNS = `r.scan_id::text AS scan_id, r.tenant_id, bulwark_iso(r.occurred_at) AS occurred_at, r.direction, r.action,
  r.request_id, r.agent_id, r.sidecar_id, r.policy_id, r.policy_version, r.content_hash, r.content_length, r.entity_counts, r.latency_ms,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('type', d.threat_type, 'severity', d.severity, 'ruleId', d.rule_id,
      'detector', d.detector, 'entityType', d.entity_type, 'count', d.finding_count, 'action', d.action) ORDER BY d.ordinal)
    FROM threat_detections d WHERE d.tenant_id = r.tenant_id AND d.scan_id = r.scan_id), '[]'::jsonb) AS threats`;

interface RecordRow {
  scan_id: string;
  tenant_id: string;
  occurred_at: string;
  direction: DirectionName;
  action: ActionName;
  request_id: string;
  agent_id: string;
  sidecar_id: string;
  policy_id: string;
  policy_version: string;
  content_hash: string;
  content_length: unknown;
  entity_counts: unknown;
  latency_ms: unknown;
  threats: unknown;
}

function toRecord(row: RecordRow): ScanRecordData {
  return {
    scanId: row.scan_id,
    tenantId: row.tenant_id,
    occurredAt: row.occurred_at,
    direction: row.direction,
    action: row.action,
    requestId: row.request_id,
    agentId: row.agent_id,
    sidecarId: row.sidecar_id,
    policyId: row.policy_id,
    policyVersion: row.policy_version,
    contentHash: row.content_hash,
    contentLength: toNumber(row.content_length),
    entityCounts: (row.entity_counts ?? {}) as Record<string, number>,
    threats: (Array.isArray(row.threats) ? row.threats : []) as ThreatSummaryData[],
    latencyMs: toNumber(row.latency_ms),
  };
}

interface DetectionRow {
  scan_id: string;
  ordinal: unknown;
  occurred_at: string;
  direction: DirectionName;
  agent_id: string;
  policy_version: string;
  threat_type: ThreatTypeName;
  severity: SeverityName;
  rule_id: string;
  detector: string;
  entity_type: string;
  finding_count: unknown;
  action: ActionName;
}

function toDetection(row: DetectionRow): ThreatDetectionData {
  return {
    detectionId: `${row.scan_id}/${toNumber(row.ordinal)}`,
    scanId: row.scan_id,
    occurredAt: row.occurred_at,
    direction: row.direction,
    agentId: row.agent_id,
    policyVersion: row.policy_version,
    type: row.threat_type,
    severity: row.severity,
    ruleId: row.rule_id,
    detector: row.detector,
    entityType: row.entity_type,
    count: toNumber(row.finding_count),
    action: row.action,
  };
}

/** How many rows one purge statement deletes; keeps each transaction short. */
const PURGE_BATCH = 5000;

export class RecordRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores a batch of ONE tenant's records; records already stored (same scan id) are
   * counted as duplicates and left unchanged. The caller has checked that the authenticated
   * principal may write for `tenantId`.
   */
  async ingest(tenantId: string, records: ScanRecordData[]): Promise<IngestResult> {
    const unique = new Map<string, ScanRecordData>();
    for (const r of records) if (!unique.has(r.scanId.toLowerCase())) unique.set(r.scanId.toLowerCase(), r);
    if (unique.size === 0) return { accepted: 0, duplicates: records.length };
    const payload = [...unique.values()].map((r) => ({
      scan_id: r.scanId,
      occurred_at: r.occurredAt,
      direction: r.direction,
      action: r.action,
      request_id: r.requestId,
      agent_id: r.agentId,
      sidecar_id: r.sidecarId,
      policy_id: r.policyId,
      policy_version: r.policyVersion,
      content_hash: r.contentHash,
      content_length: r.contentLength,
      entity_counts: r.entityCounts,
      threats: r.threats,
      latency_ms: r.latencyMs,
    }));
    try {
      const accepted = await inTenant(this.db, tenantId, async (tx) => {
        const { rows } = await tx.query<{ accepted: unknown }>(INGEST_SQL, [JSON.stringify(payload)]);
        return toNumber(rows[0]?.accepted);
      });
      return { accepted, duplicates: records.length - accepted };
    } catch (err) {
      translateConstraintError(err, { tenantId });
    }
  }

  /** Records newest first, by (time, scan id). */
  async listScanRecords(tenantId: string, filter: RecordFilterData, options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<ScanRecordData>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'scan-records', filter });
    const after = decodePageToken(options.pageToken, fingerprint, 2);
    const where = recordFilterSql(filter, 'r', 'exists', 1);
    const params = [...where.params];
    let cursor = '';
    if (after) {
      params.push(after[0], after[1]);
      cursor = ` AND (r.occurred_at, r.scan_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(size + 1);
    return this.read(tenantId, async (tx) => {
      const { rows } = await tx.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM scan_records r WHERE ${where.sql}${cursor}
         ORDER BY r.occurred_at DESC, r.scan_id DESC LIMIT $${params.length}`,
        params,
      );
      return toPage(rows, size, toRecord, (r) => [r.occurred_at, r.scan_id], fingerprint);
    });
  }

  /** Detections newest first, by (time, scan id, ordinal). Action filters the threat's action. */
  async listThreatDetections(
    tenantId: string,
    filter: RecordFilterData,
    options: { pageSize?: number; pageToken?: string } = {},
  ): Promise<Page<ThreatDetectionData>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'threat-detections', filter });
    const after = decodePageToken(options.pageToken, fingerprint, 3);
    const where = recordFilterSql(filter, 'd', 'column', 1);
    const params = [...where.params];
    let cursor = '';
    if (after) {
      params.push(after[0], after[1], after[2]);
      const n = params.length;
      cursor = ` AND (d.occurred_at, d.scan_id, d.ordinal) < ($${n - 2}::timestamptz, $${n - 1}::uuid, $${n}::integer)`;
    }
    params.push(size + 1);
    return this.read(tenantId, async (tx) => {
      const { rows } = await tx.query<DetectionRow>(
        `SELECT d.scan_id::text AS scan_id, d.ordinal, bulwark_iso(d.occurred_at) AS occurred_at, d.direction, d.agent_id, d.policy_version,
           d.threat_type, d.severity, d.rule_id, d.detector, d.entity_type, d.finding_count, d.action
         FROM threat_detections d WHERE ${where.sql}${cursor}
         ORDER BY d.occurred_at DESC, d.scan_id DESC, d.ordinal DESC LIMIT $${params.length}`,
        params,
      );
      return toPage(rows, size, toDetection, (r) => [r.occurred_at, r.scan_id, toNumber(r.ordinal)], fingerprint);
    });
  }

  /**
   * Deletes the tenant's records older than its retention period (relative to `now`), in
   * short batches. Detections go with their records (ON DELETE CASCADE). Returns the count.
   */
  async purgeExpired(tenantId: string, now: Date = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await inTenant(this.db, tenantId, async (tx) => {
        const { rowCount } = await tx.query(
          `DELETE FROM scan_records r
           WHERE r.scan_id IN (
             SELECT s.scan_id FROM scan_records s
             WHERE s.occurred_at < $1::timestamptz - (SELECT make_interval(days => t.retention_days) FROM tenants t WHERE t.tenant_id = bulwark_current_tenant())
             LIMIT $2)`,
          [now.toISOString(), PURGE_BATCH],
        );
        return rowCount;
      });
      total += deleted;
      if (deleted < PURGE_BATCH) return total;
    }
  }

  /** Runs {@link purgeExpired} for every registered tenant; returns deleted counts by tenant. */
  async purgeAllExpired(tenants: TenantRepository, now: Date = new Date()): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const tenantId of await tenants.listIds()) counts.set(tenantId, await this.purgeExpired(tenantId, now));
    return counts;
  }

  private read<T>(tenantId: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return inTenant(this.db, tenantId, fn).catch((err: unknown) => translateConstraintError(err, { tenantId }));
  }
}
