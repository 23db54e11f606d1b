/**
 * RecordIngestService: batches of scan records from sidecars. Every record's tenant must be
 * one the token speaks for; the batch is then stored per tenant, each in its own tenant-scoped
 * transaction. Idempotent by (tenant, scan id), so a sidecar may resend a batch after a
 * timeout or a partial failure. Audit-log checkpoints (sequence and head hash, no content)
 * arrive here too, idempotent by (tenant, sidecar, seq).
 */
import type { RecordIngestService } from '../../../gen/bulwark/v1/record_ingest_service_pb.js';
import type { AuditCheckpointRepository } from '../../store/audit-checkpoint-repository.js';
import type { RecordRepository } from '../../store/record-repository.js';
import type { ScanRecordData } from '../../store/record-types.js';
import { AuthError } from '../auth/auth-error.js';
import { tenantOf } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { ServiceHandlers } from '../grpc/unary-service.js';
import { checkpointFromProto } from './audit-checkpoint-messages.js';
import { scanRecordFromProto } from './record-messages.js';

export const MAX_INGEST_BATCH = 1000;

/** The tenant a record is stored under: its own if set, else the token's; must be allowed. */
function recordTenant(requested: string, principal: Principal): string {
  const tenant = requested || principal.tenantId;
  if (!tenant) throw invalidArgument('a record without tenant_id needs a token with a tenant_id');
  if (tenant !== principal.tenantId && !principal.ingestTenants.has(tenant)) {
    throw new AuthError('permission-denied', `the token may not ingest records of tenant "${tenant}"`);
  }
  return tenant;
}

export function recordIngestHandlers(records: RecordRepository, checkpoints: AuditCheckpointRepository): ServiceHandlers<typeof RecordIngestService> {
  return {
    // Stored under the token's own tenant: a sidecar's audit chain spans every tenant it serves.
    async ingestAuditCheckpoints(req, ctx) {
      if (req.checkpoints.length > MAX_INGEST_BATCH) throw invalidArgument(`at most ${MAX_INGEST_BATCH} checkpoints per batch`);
      const list = req.checkpoints.map((c, i) => checkpointFromProto(c, `checkpoints[${i}]`));
      const result = await checkpoints.ingest(tenantOf(ctx.principal), list);
      return { acceptedCount: result.accepted, duplicateCount: result.duplicates };
    },

    async ingestScanRecords(req, ctx) {
      if (req.records.length > MAX_INGEST_BATCH) throw invalidArgument(`at most ${MAX_INGEST_BATCH} records per batch`);
      const byTenant = new Map<string, ScanRecordData[]>();
      req.records.forEach((r, i) => {
        const tenant = recordTenant(r.tenantId, ctx.principal);
        const list = byTenant.get(tenant) ?? [];
        list.push(scanRecordFromProto(r, tenant, `records[${i}]`));
        byTenant.set(tenant, list);
      });
      let acceptedCount = 0;
      let duplicateCount = 0;
      for (const [tenant, list] of byTenant) {
        const result = await records.ingest(tenant, list);
        acceptedCount += result.accepted;
        duplicateCount += result.duplicates;
      }
      return { acceptedCount, duplicateCount };
    },
  };
}
