/** RecordService: the caller's tenant's scan records, threat detections and audit checkpoints, filtered and paged. */
import type { RecordService } from '../../../gen/bulwark/v1/record_service_pb.js';
import type { AuditCheckpointRepository } from '../../store/audit-checkpoint-repository.js';
import type { RecordRepository } from '../../store/record-repository.js';
import { tenantOf } from '../auth/authorize.js';
import type { ServiceHandlers } from '../grpc/unary-service.js';
import { toCheckpointMessage } from './audit-checkpoint-messages.js';
import { filterFromProto, toDetectionMessage, toScanRecordMessage } from './record-messages.js';

export function recordHandlers(records: RecordRepository, checkpoints: AuditCheckpointRepository): ServiceHandlers<typeof RecordService> {
  return {
    async listAuditCheckpoints(req, ctx) {
      const page = await checkpoints.list(tenantOf(ctx.principal), req.sidecarId, { pageSize: req.pageSize, pageToken: req.pageToken });
      return { checkpoints: page.items.map(toCheckpointMessage), nextPageToken: page.nextPageToken };
    },

    async listScanRecords(req, ctx) {
      const page = await records.listScanRecords(tenantOf(ctx.principal), filterFromProto(req.filter), {
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { records: page.items.map(toScanRecordMessage), nextPageToken: page.nextPageToken };
    },

    async listThreatDetections(req, ctx) {
      const page = await records.listThreatDetections(tenantOf(ctx.principal), filterFromProto(req.filter), {
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { detections: page.items.map(toDetectionMessage), nextPageToken: page.nextPageToken };
    },
  };
}
