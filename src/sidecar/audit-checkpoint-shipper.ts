/**
 * Ships the audit log's checkpoints (src/audit/audit-log-writer.ts: sequence number and head
 * hash, never an entry's content) to the control plane's IngestAuditCheckpoints, so the chain
 * can be checked against copies the sidecar's host cannot rewrite.
 *
 * Checkpoints are few (one a minute at most, plus rotation and shutdown), so there is no spill
 * file of its own: the writer already appends every checkpoint to FILE.checkpoints, and at
 * start the shipper re-sends that file's recent lines. The control plane ignores the ones it
 * has (idempotent by sidecar and seq), so a crash or an outage loses nothing. Failures are
 * retried with full-jitter backoff; a refusal for good (bad data, wrong role, unregistered
 * tenant) is logged and the batch dropped, so one bad checkpoint cannot block the rest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status, type MethodDefinition } from '@grpc/grpc-js';
import {
  IngestAuditCheckpointsRequestSchema,
  RecordIngestService,
  type IngestAuditCheckpointsRequest,
  type IngestAuditCheckpointsResponse,
} from '../../gen/bulwark/v1/record_ingest_service_pb.js';
import type { AuditCheckpoint } from '../audit/audit-chain.js';
import type { Logger } from '../telemetry/logger.js';
import { backoffDelay, type ControlPlaneChannel } from './control-plane-channel.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';

const METHOD = grpcServiceDefinition(RecordIngestService).IngestAuditCheckpoints as MethodDefinition<IngestAuditCheckpointsRequest, IngestAuditCheckpointsResponse>;
const PERMANENT = new Set<status>([status.INVALID_ARGUMENT, status.PERMISSION_DENIED, status.FAILED_PRECONDITION, status.UNIMPLEMENTED]);
/** The API's batch limit. */
const MAX_BATCH = 1000;

export interface AuditCheckpointShipperOptions {
  channel: ControlPlaneChannel;
  /** This sidecar's node id: names the chain on the control plane. */
  sidecarId: string;
  logger: Logger;
  /** Checkpoints kept while the control plane is unreachable (default 10 000; oldest dropped). */
  maxPending?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  callTimeoutMs?: number;
}

export interface AuditCheckpointShipperStats {
  pending: number;
  shipped: number;
  duplicates: number;
  dropped: number;
}

/** The last `max` checkpoints of a FILE.checkpoints (JSON lines); unreadable lines are skipped. */
export function readCheckpointFile(path: string, max = MAX_BATCH): AuditCheckpoint[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out: AuditCheckpoint[] = [];
  for (const line of lines.slice(-max)) {
    try {
      const cp = JSON.parse(line) as AuditCheckpoint;
      if (typeof cp.seq === 'number' && typeof cp.hash === 'string' && typeof cp.time === 'string') out.push({ ...cp, mac: cp.mac ?? '' });
    } catch {
      // A torn last line after a crash: the writer's next checkpoint supersedes it.
    }
  }
  return out;
}

export class AuditCheckpointShipper {
  private pending: AuditCheckpoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private attempt = 0;
  private closed = false;
  private readonly counts = { shipped: 0, duplicates: 0, dropped: 0 };

  constructor(private readonly options: AuditCheckpointShipperOptions) {}

  /** Queues one checkpoint and sends soon (never blocks the caller). */
  push(checkpoint: AuditCheckpoint): void {
    this.pending.push(checkpoint);
    const max = this.options.maxPending ?? 10_000;
    if (this.pending.length > max) {
      // The newest checkpoints matter most: each covers every entry before it.
      this.counts.dropped += this.pending.length - max;
      this.pending = this.pending.slice(-max);
    }
    this.schedule(0);
  }

  /** Retry now (the channel reconnected). */
  nudge(): void {
    if (this.pending.length > 0) this.schedule(0);
  }

  stats(): AuditCheckpointShipperStats {
    return { pending: this.pending.length, ...this.counts };
  }

  /** Sends what is pending once more (e.g. the checkpoint written at shutdown), then stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sending;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) await this.sendBatch();
    if (this.pending.length > 0) this.options.logger.warn({ pending: this.pending.length }, 'audit checkpoints not delivered at shutdown; they are re-sent from the checkpoints file at the next start');
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer || this.sending) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.sendBatch().finally(() => {
        this.sending = undefined;
        if (this.pending.length > 0 && !this.closed) {
          this.schedule(this.attempt === 0 ? 0 : backoffDelay(this.attempt, this.options.backoffBaseMs ?? 500, this.options.backoffMaxMs ?? 30_000));
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private sendBatch(): Promise<void> {
    const batch = this.pending.slice(0, MAX_BATCH);
    if (batch.length === 0) return Promise.resolve();
    const { channel, sidecarId, logger } = this.options;
    const request = create(IngestAuditCheckpointsRequestSchema, {
      checkpoints: batch.map((c) => ({ sidecarId, seq: BigInt(c.seq), headHash: c.hash, checkpointTime: timestampFromDate(new Date(c.time)), mac: c.mac })),
    });
    return channel.unary(METHOD, request, this.options.callTimeoutMs ?? 10_000).then(({ err, response }) => {
      if (!err || PERMANENT.has(err.code)) {
        this.pending = this.pending.slice(batch.length);
        this.attempt = 0;
        if (err) {
          this.counts.dropped += batch.length;
          logger.error({ code: status[err.code], details: err.details, checkpoints: batch.length }, 'the control plane refused audit checkpoints; dropped');
        } else {
          this.counts.shipped += response?.acceptedCount ?? 0;
          this.counts.duplicates += response?.duplicateCount ?? 0;
        }
      } else {
        this.attempt++;
        logger.debug({ code: status[err.code], pending: this.pending.length }, 'audit checkpoints not delivered; will retry');
      }
    });
  }
}
