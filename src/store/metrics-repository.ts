/** Aggregates over a tenant's scan records: counts, action rates, threats by type, latency percentiles. */
import type { ActionName, ThreatTypeName } from '../detectors/types.js';
import type { Database } from './database.js';
import type { TenantMetricsData } from './record-types.js';
import { inTenant } from './scoped-session.js';
import { toBigInt, toNumber } from './sql-values.js';

export class MetricsRepository {
  constructor(private readonly db: Database) {}

  /** Metrics over [startTime, endTime) (ISO-8601). */
  async tenantMetrics(tenantId: string, startTime: string, endTime: string): Promise<TenantMetricsData> {
    return inTenant(this.db, tenantId, async (tx) => {
      const totals = await tx.query<Record<string, unknown>>(
        `SELECT count(*) AS scans,
           count(*) FILTER (WHERE action = 'ALLOW') AS allow,
           count(*) FILTER (WHERE action = 'WARN') AS warn,
           count(*) FILTER (WHERE action = 'REDACT') AS redact,
           count(*) FILTER (WHERE action = 'BLOCK') AS block,
           percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS latency
         FROM scan_records WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz`,
        [startTime, endTime],
      );
      const byType = await tx.query<{ threat_type: ThreatTypeName; scans: unknown; findings: unknown }>(
        `SELECT threat_type, count(DISTINCT scan_id) AS scans, sum(finding_count) AS findings
         FROM threat_detections WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
         GROUP BY threat_type ORDER BY threat_type`,
        [startTime, endTime],
      );
      const row = totals.rows[0] ?? {};
      const latency = Array.isArray(row.latency) ? row.latency.map(toNumber) : [];
      const actionCounts: Record<ActionName, bigint> = {
        ALLOW: toBigInt(row.allow),
        WARN: toBigInt(row.warn),
        REDACT: toBigInt(row.redact),
        BLOCK: toBigInt(row.block),
      };
      return {
        scanCount: toBigInt(row.scans),
        actionCounts,
        threatsByType: byType.rows.map((r) => ({ type: r.threat_type, scanCount: toBigInt(r.scans), findingCount: toBigInt(r.findings) })),
        latencyP50Ms: latency[0] ?? 0,
        latencyP95Ms: latency[1] ?? 0,
        latencyP99Ms: latency[2] ?? 0,
      };
    });
  }
}
