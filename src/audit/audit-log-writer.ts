/**
 * The local append-only audit log: one JSON line per entry (see audit-chain.ts), appended by
 * the hot path without waiting. `append` computes the entry's hash synchronously (the chain
 * needs it, and it is a few microseconds) and queues the line; a background flush writes the
 * queued lines and fdatasyncs them in batches (every `flushIntervalMs`), so the cost of
 * durability is shared by every entry of a batch and never paid on the request path.
 *
 * Rotation by size keeps the chain: the full file is renamed to FILE.000001 (then .000002,
 * ...) and the next entry in the new FILE names the last hash of the old one. Checkpoints
 * (the head's seq and hash, HMAC'd when a key is set) are appended to FILE.checkpoints and
 * logged, so they can be shipped elsewhere; `bulwark audit verify` uses them to detect
 * truncation. A failing write is logged and retried with the next batch; it never fails a
 * request (the entries stay queued, bounded).
 */
import { closeSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../telemetry/logger.js';
import { AUDIT_FORMAT_VERSION, checkpointMac, GENESIS_HASH, hashRecord, type AuditCheckpoint, type AuditKind, type AuditRecord } from './audit-chain.js';

export interface AuditLogOptions {
  path: string;
  /** HMAC key; absent = plain SHA-256 chain. */
  hmacKey?: string;
  /** Rotate when the file reaches this size; default 64 MiB. */
  maxFileBytes?: number;
  /** Batch interval for write + fdatasync; default 20 ms. */
  flushIntervalMs?: number;
  /** Checkpoint interval (when entries were added); default 60 s. 0 = only at rotation and close. */
  checkpointIntervalMs?: number;
  /** Queued lines kept while writes fail; beyond, the oldest are dropped (and counted). */
  maxQueued?: number;
  logger?: Logger;
  now?: () => number;
  /** Called with every checkpoint written (e.g. to export it). */
  onCheckpoint?: (checkpoint: AuditCheckpoint) => void;
}

export interface AuditAppendResult {
  id: string;
  hash: string;
}

/** Where the checkpoints of the audit log at `path` are appended. */
export function auditCheckpointPath(path: string): string {
  return `${path}.checkpoints`;
}

/** The last complete line of a file, and whether the file ends in a partial line. */
function readTail(path: string): { last: string | undefined; partial: boolean } {
  const size = statSync(path).size;
  if (size === 0) return { last: undefined, partial: false };
  const fd = openSync(path, 'r');
  try {
    const len = Math.min(size, 1024 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8');
    const partial = !text.endsWith('\n');
    const lines = text.split('\n').filter((l) => l !== '');
    const last = partial ? lines[lines.length - 2] : lines[lines.length - 1];
    return { last, partial };
  } finally {
    closeSync(fd);
  }
}

/** The next free rotation name: FILE.000001, FILE.000002, ... */
function rotatedName(path: string): string {
  for (let n = 1; ; n++) {
    const candidate = `${path}.${String(n).padStart(6, '0')}`;
    if (!existsSync(candidate)) return candidate;
  }
}

export class AuditLogWriter {
  private seq = -1;
  private head = GENESIS_HASH;
  private queue: string[] = [];
  private file: FileHandle | undefined;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private lastCheckpointSeq = -1;
  private dropped = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly maxFileBytes: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueued: number;

  private constructor(private readonly options: AuditLogOptions) {
    this.now = options.now ?? Date.now;
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 20;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Opens (or creates) the log; an existing chain is continued from its last entry. */
  static async open(options: AuditLogOptions): Promise<AuditLogWriter> {
    const writer = new AuditLogWriter(options);
    await writer.openFile();
    const every = options.checkpointIntervalMs ?? 60_000;
    if (every > 0) {
      writer.checkpointTimer = setInterval(() => void writer.checkpoint().catch(() => undefined), every);
      writer.checkpointTimer.unref();
    }
    return writer;
  }

  get path(): string {
    return this.options.path;
  }

  get checkpointPath(): string {
    return auditCheckpointPath(this.options.path);
  }

  /** The last appended entry's seq and hash (-1 and the genesis hash for an empty chain). */
  get headEntry(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.head };
  }

  private async openFile(): Promise<void> {
    const path = this.options.path;
    if (existsSync(path)) {
      const { last, partial } = readTail(path);
      if (last) {
        const entry = JSON.parse(last) as { seq: number; hash: string };
        this.seq = entry.seq;
        this.head = entry.hash;
      }
      if (partial) {
        // A crash mid-write left half a line: appending after it would corrupt the chain.
        // Keep the damaged file for inspection and continue in a fresh one.
        const to = rotatedName(path);
        renameSync(path, to);
        this.options.logger?.warn({ file: to }, 'audit log ended in a partial entry; rotated it and continued the chain in a new file');
      }
    }
    this.file = await open(path, 'a');
    this.size = (await this.file.stat()).size;
  }

  /** Appends one entry (synchronously chained; written in the background). */
  append(kind: AuditKind, body: Record<string, unknown>): AuditAppendResult {
    if (this.closed) throw new Error('audit log is closed');
    const key = this.options.hmacKey;
    const record: AuditRecord = {
      v: AUDIT_FORMAT_VERSION,
      seq: this.seq + 1,
      time: new Date(this.now()).toISOString(),
      prev: this.head,
      kind,
      alg: key ? 'hmac-sha256' : 'sha256',
      body,
    };
    const hash = hashRecord(record, key);
    this.seq = record.seq;
    this.head = hash;
    this.queue.push(`${JSON.stringify({ ...record, hash })}\n`);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushIntervalMs);
    return { id: String(record.seq), hash };
  }

  /** Writes and fdatasyncs everything queued so far. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    this.flushing = this.writeBatch().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async writeBatch(): Promise<void> {
    const lines = this.queue;
    this.queue = [];
    const data = lines.join('');
    try {
      const file = this.file;
      if (!file) throw new Error('audit log file is not open');
      await file.appendFile(data, 'utf8');
      await file.datasync();
      this.size += Buffer.byteLength(data);
      if (this.size >= this.maxFileBytes) await this.rotate();
    } catch (err) {
      // Keep the lines (in order) for the next attempt; never fail the request path.
      this.queue = lines.concat(this.queue);
      this.options.logger?.error({ err: (err as Error).message, queued: this.queue.length, dropped: this.dropped }, 'audit log write failed; will retry');
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, 1_000);
    }
  }

  private async rotate(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    const to = rotatedName(this.options.path);
    renameSync(this.options.path, to);
    this.options.logger?.info({ file: to, headSeq: this.seq }, 'audit log rotated');
    await this.openFile();
    await this.writeCheckpoint();
  }

  /** Flushes, then records the head as a checkpoint (skipped when nothing changed). */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    await this.flush();
    if (this.seq === this.lastCheckpointSeq || this.seq < 0) return undefined;
    return this.writeCheckpoint();
  }

  private async writeCheckpoint(): Promise<AuditCheckpoint> {
    const time = new Date(this.now()).toISOString();
    const checkpoint: AuditCheckpoint = { seq: this.seq, hash: this.head, time, mac: checkpointMac(this.seq, this.head, time, this.options.hmacKey) };
    const handle = await open(this.checkpointPath, 'a');
    try {
      await handle.appendFile(`${JSON.stringify(checkpoint)}\n`, 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.lastCheckpointSeq = this.seq;
    this.options.logger?.info({ auditCheckpoint: checkpoint }, 'audit checkpoint');
    this.options.onCheckpoint?.(checkpoint);
    return checkpoint;
  }

  /** Flushes, writes a final checkpoint and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.flush();
    if (this.seq >= 0 && this.seq !== this.lastCheckpointSeq) await this.writeCheckpoint();
    await this.file?.close();
    this.file = undefined;
  }
}
