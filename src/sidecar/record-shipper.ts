/**
 * Ships scan records to RecordIngestService in batches, off the scan path.
 *
 * `push` (called by the record sink on the scan path) only appends to an in-memory array,
 * bounded at `maxBuffered` (over it records are counted as dropped and logged, never
 * waited for). A loop, every `flushIntervalMs` or as soon as a batch is full:
 * - healthy: sends up to `batchSize` buffered records; if that fails they are appended to
 *   the spill file (record-spool-file.ts) and the loop switches to spilling;
 * - spilling (the file has undelivered records): appends everything buffered to the file
 *   (fsynced, so it survives a restart), and after the backoff delay sends the file's oldest
 *   batch, advancing its offset on success. Once the file is empty it is healthy again.
 * Retries use full-jitter exponential backoff; `nudge()` (the policy stream reconnected)
 * retries at once. A batch the control plane refuses for good (INVALID_ARGUMENT,
 * PERMISSION_DENIED, FAILED_PRECONDITION) is split in halves until the refused records are
 * isolated; those are dropped with an error log, the others delivered, so one bad record
 * cannot stop the pipeline. Duplicates from retries are removed by the idempotent ingest.
 */
import { create } from '@bufbuild/protobuf';
import { status, type MethodDefinition } from '@grpc/grpc-js';
import {
  IngestScanRecordsRequestSchema,
  RecordIngestService,
  type IngestScanRecordsRequest,
  type IngestScanRecordsResponse,
} from '../../gen/bulwark/v1/record_ingest_service_pb.js';
import { ScanRecordSchema, type ScanRecord } from '../../gen/bulwark/v1/scan_record_pb.js';
import { toScanRecordMessage } from '../control/services/record-messages.js';
import type { ScanRecordData } from '../store/record-types.js';
import type { Logger } from '../telemetry/logger.js';
import { backoffDelay, type ControlPlaneChannel } from './control-plane-channel.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';
import { RecordSpoolFile } from './record-spool-file.js';

const METHOD = grpcServiceDefinition(RecordIngestService).IngestScanRecords as MethodDefinition<IngestScanRecordsRequest, IngestScanRecordsResponse>;
const PERMANENT = new Set<status>([status.INVALID_ARGUMENT, status.PERMISSION_DENIED, status.FAILED_PRECONDITION]);

export interface RecordShipperOptions {
  channel: ControlPlaneChannel;
  /** Directory of the spill file. */
  spoolDir: string;
  logger: Logger;
  /** Records per IngestScanRecords call (default 500; the API allows 1000). */
  batchSize?: number;
  flushIntervalMs?: number;
  /** In-memory records at most (default 20 000). */
  maxBuffered?: number;
  /** Spill file size at which new records are dropped (default 512 MiB). */
  maxSpoolBytes?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  callTimeoutMs?: number;
}

export interface RecordShipperStats {
  buffered: number;
  spooledBytes: number;
  shipped: number;
  duplicates: number;
  dropped: number;
  /** Records written to the spill file (the control plane was unreachable). */
  spilled: number;
}

export class RecordShipper {
  private buffer: ScanRecordData[] = [];
  private readonly spool: RecordSpoolFile;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private attempt = 0;
  private nextAttemptAt = 0;
  private closed = false;
  private readonly counts = { shipped: 0, duplicates: 0, dropped: 0, spilled: 0 };
  private droppedLogged = 0;

  constructor(private readonly options: RecordShipperOptions) {
    this.spool = new RecordSpoolFile(options.spoolDir);
    this.batchSize = options.batchSize ?? 500;
    this.maxBuffered = options.maxBuffered ?? 20_000;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.flushIntervalMs ?? 250);
    this.timer.unref();
    if (this.spool.pendingBytes > 0) this.kick();
  }

  /** Scan path: O(1), never throws, never waits. */
  push(record: ScanRecordData): void {
    if (this.closed || this.buffer.length >= this.maxBuffered) {
      this.counts.dropped++;
      this.logDropped('the in-memory scan record buffer is full (the spill file cannot keep up); dropping records');
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length === this.batchSize) setImmediate(() => this.kick());
  }

  /** The control plane looks reachable again: retry now instead of after the backoff. */
  nudge(): void {
    this.attempt = 0;
    this.nextAttemptAt = 0;
    this.kick();
  }

  stats(): RecordShipperStats {
    return { buffered: this.buffer.length, spooledBytes: this.spool.pendingBytes, ...this.counts };
  }

  /**
   * Stops the loop. What is buffered is sent once more if the control plane is reachable
   * (within `graceMs`), otherwise appended to the spill file for the next start.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    if (this.buffer.length > 0 && this.spool.pendingBytes === 0 && this.attempt === 0) {
      await this.sendOrSpill(this.takeBuffered(this.buffer.length), graceMs);
    } else {
      await this.spill(this.takeBuffered(this.buffer.length));
    }
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.step();
      } catch (err) {
        this.options.logger.error({ err: (err as Error).message }, 'record shipping step failed');
        this.backOff();
      }
    } while (this.again && !this.closed);
  }

  private async step(): Promise<void> {
    if (this.spool.pendingBytes > 0) {
      await this.spill(this.takeBuffered(this.buffer.length));
      if (Date.now() < this.nextAttemptAt) return;
      const batch = await this.spool.read(this.batchSize);
      if (batch.corrupt > 0) this.options.logger.warn({ lines: batch.corrupt }, 'skipped undecodable lines in the record spill file');
      const outcome = batch.records.length > 0 ? await this.deliver(batch.records) : 'sent';
      if (outcome === 'retry') return this.backOff();
      await this.spool.commit(batch.nextOffset);
      this.recovered();
      if (this.spool.pendingBytes > 0 || this.buffer.length > 0) this.again = true;
      return;
    }
    if (this.buffer.length === 0) return;
    const batch = this.takeBuffered(this.batchSize);
    const outcome = await this.deliver(batch.map(toMessage));
    if (outcome === 'retry') {
      await this.spill(batch);
      return this.backOff();
    }
    this.recovered();
    if (this.buffer.length >= this.batchSize) this.again = true;
  }

  private takeBuffered(n: number): ScanRecordData[] {
    return this.buffer.length <= n ? this.buffer.splice(0) : this.buffer.splice(0, n);
  }

  private async spill(records: ScanRecordData[]): Promise<void> {
    if (records.length === 0) return;
    const limit = this.options.maxSpoolBytes ?? 512 * 1024 * 1024;
    if (this.spool.pendingBytes >= limit) {
      this.counts.dropped += records.length;
      this.logDropped('the scan record spill file is full; dropping records');
      return;
    }
    await this.spool.append(records.map(toMessage));
    this.counts.spilled += records.length;
  }

  /** Sends `records` in batches; from the first failure on, the rest goes to the spill file. */
  private async sendOrSpill(records: ScanRecordData[], timeoutMs: number): Promise<void> {
    for (let i = 0; i < records.length; i += this.batchSize) {
      if ((await this.deliver(records.slice(i, i + this.batchSize).map(toMessage), timeoutMs)) === 'retry') {
        await this.spill(records.slice(i));
        return;
      }
    }
  }

  /** Sends `records`; refused ones are isolated by halving and dropped. 'retry' = try all again later. */
  private async deliver(records: ScanRecord[], timeoutMs?: number): Promise<'sent' | 'retry'> {
    const outcome = await this.send(records, timeoutMs);
    if (outcome !== 'refused') return outcome;
    if (records.length === 1) {
      this.counts.dropped++;
      return 'sent';
    }
    const mid = records.length >> 1;
    if ((await this.deliver(records.slice(0, mid), timeoutMs)) === 'retry') return 'retry';
    return this.deliver(records.slice(mid), timeoutMs);
  }

  private send(records: ScanRecord[], timeoutMs = this.options.callTimeoutMs ?? 10_000): Promise<'sent' | 'retry' | 'refused'> {
    const { channel, logger } = this.options;
    const request = create(IngestScanRecordsRequestSchema, { records });
    return channel.unary(METHOD, request, timeoutMs).then(({ err, response }) => {
      if (!err) {
        this.counts.shipped += response?.acceptedCount ?? 0;
        this.counts.duplicates += response?.duplicateCount ?? 0;
        return 'sent';
      }
      if (PERMANENT.has(err.code)) {
        if (records.length === 1) logger.error({ code: err.code, error: err.details, scanId: records[0]?.scanId }, 'the control plane refused a scan record; dropping it');
        return 'refused';
      }
      if (this.attempt === 0) logger.warn({ code: err.code, error: err.details }, 'scan records cannot be shipped; spilling to disk until the control plane is back');
      return 'retry';
    });
  }

  private backOff(): void {
    this.nextAttemptAt = Date.now() + backoffDelay(this.attempt++, this.options.backoffBaseMs ?? 500, this.options.backoffMaxMs ?? 15_000);
  }

  private recovered(): void {
    if (this.attempt > 0) this.options.logger.info('scan records are being shipped again');
    this.attempt = 0;
    this.nextAttemptAt = 0;
  }

  /** Logs the first drop and then every 1000th, not every one. */
  private logDropped(message: string): void {
    if (this.droppedLogged > 0 && this.counts.dropped - this.droppedLogged < 1000) return;
    this.droppedLogged = this.counts.dropped;
    this.options.logger.error({ dropped: this.counts.dropped }, message);
  }
}

function toMessage(r: ScanRecordData): ScanRecord {
  return create(ScanRecordSchema, toScanRecordMessage(r));
}
