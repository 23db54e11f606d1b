/**
 * The audit checkpoints a sidecar shipped to the control plane (RecordService
 * ListAuditCheckpoints, every page), in the local FILE.checkpoints form, so `bulwark audit
 * verify --control-plane` checks a local log against copies its host could not rewrite.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { RecordService } from '../../gen/bulwark/v1/record_service_pb.js';
import type { AuditCheckpoint } from '../audit/audit-chain.js';
import type { AdminConnection } from './control-plane-client.js';

export async function fetchAuditCheckpoints(admin: AdminConnection, sidecarId: string): Promise<AuditCheckpoint[]> {
  const out: AuditCheckpoint[] = [];
  let pageToken = '';
  do {
    const page = await admin.call(RecordService, 'listAuditCheckpoints', { sidecarId, pageSize: 500, pageToken });
    for (const c of page.checkpoints) {
      // The sidecar wrote the time with millisecond precision; its MAC covers that text.
      const time = c.checkpointTime ? timestampDate(c.checkpointTime).toISOString() : '';
      out.push({ seq: Number(c.seq), hash: c.headHash, time, mac: c.mac });
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}
