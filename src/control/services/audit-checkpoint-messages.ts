/** AuditCheckpoint messages ↔ the store's form, with the request's validation. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { AuditCheckpoint, AuditCheckpointSchema } from '../../../gen/bulwark/v1/audit_checkpoint_pb.js';
import type { AuditCheckpointData } from '../../store/audit-checkpoint-repository.js';
import { invalidArgument } from '../grpc/status-errors.js';
import { isoFromTimestamp, timestampFromIso } from './proto-values.js';

const SIDECAR_ID = /^[\x21-\x7e]{1,200}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

export function checkpointFromProto(c: AuditCheckpoint, field: string): AuditCheckpointData {
  if (!SIDECAR_ID.test(c.sidecarId)) throw invalidArgument(`${field}.sidecar_id must be 1 to 200 printable characters without spaces`);
  if (!HEX_HASH.test(c.headHash)) throw invalidArgument(`${field}.head_hash must be 64 lowercase hex digits`);
  if (c.mac !== '' && !HEX_HASH.test(c.mac)) throw invalidArgument(`${field}.mac must be empty or 64 lowercase hex digits`);
  if (!c.checkpointTime) throw invalidArgument(`${field}.checkpoint_time is required`);
  if (c.seq > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument(`${field}.seq is too large`);
  return { sidecarId: c.sidecarId, seq: Number(c.seq), headHash: c.headHash, checkpointTime: isoFromTimestamp(c.checkpointTime, `${field}.checkpoint_time`), mac: c.mac };
}

export function toCheckpointMessage(c: AuditCheckpointData): MessageInitShape<typeof AuditCheckpointSchema> {
  return {
    sidecarId: c.sidecarId,
    seq: BigInt(c.seq),
    headHash: c.headHash,
    checkpointTime: timestampFromIso(c.checkpointTime),
    mac: c.mac,
    receiveTime: c.receivedAt ? timestampFromIso(c.receivedAt) : undefined,
  };
}
