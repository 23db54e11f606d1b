/**
 * A durable local outbox: messages are written to disk before anyone tries to deliver them,
 * and removed only after the destination acknowledged them. Broker or receiver outages and
 * process restarts lose nothing (at-least-once: a crash between delivery and ack re-sends,
 * so consumers de-duplicate by an id inside the payload).
 *
 * Public API (all a user needs; see also outbox-pump.ts for the delivery loop):
 *
 *   const outbox = await Outbox.open({ dir, maxBytes, logger });
 *   outbox.enqueue({ destination, key, headers, payload }); // hot path: sync, never throws
 *   await outbox.append([...]);        // durable once resolved (fsynced)
 *   const batch = await outbox.read(100); // oldest unacknowledged first, with positions
 *   await outbox.ack(batch);           // everything up to the batch's last entry is done
 *   outbox.recordFailure();            // one failed delivery attempt (stats)
 *   outbox.stats();                    // { depth, bytes, oldestAgeSeconds, dropped, published, failedAttempts }
 *   outbox.onAppended(() => ...);      // wake a delivery loop
 *   await outbox.close();              // writes what is queued, closes files
 *
 * One process, one consumer per directory (messages are acknowledged in order): `open` takes
 * `<dir>.lock` (held until `close`) and fails if another live process, or this one, has it.
 *
 * On disk (`dir`): segment files `<seq>.seg` of CRC-checked frames (outbox-frame.ts), and
 * `cursor` = "<seq> <offset>" of the first unacknowledged frame. Fully acknowledged
 * segments are deleted; a new segment starts when the current one is full or fully
 * acknowledged (so it can go).
 *
 * fsync policy (`fsync`, default 'always'): every append batch is fsynced before `append`
 * resolves, and the directory is fsynced when a segment is created, so what was appended
 * survives a power loss. The queue behind `enqueue` groups whatever arrives during one fsync
 * into the next batch (group commit), so the cost is one fsync per batch, not per message.
 * The cursor is written with an atomic rename but not fsynced: losing its last update only
 * re-sends acknowledged messages. 'never' leaves flushing to the OS (survives a process
 * crash, not a power loss).
 *
 * Bounded disk use (`maxBytes`, default 256 MiB): when pending bytes exceed it, the OLDEST
 * segments are deleted, their messages counted in `dropped` and logged as a warning. We
 * prefer dropping old events to back-pressure because the producer is the scan path, which
 * must never wait on bookkeeping; a long outage that fills the disk budget is visible in
 * stats (dropped, oldestAgeSeconds) and alerting should fire on them. Segments hold at most
 * maxBytes/8, so a drop loses about an eighth of the budget at a time. `enqueue` is bounded
 * too (`maxQueued` messages waiting for the disk; over it new ones are dropped and counted).
 *
 * Replay: `open` indexes every segment; a torn or corrupt tail (crash mid-append) is cut off
 * and counted in `corrupt`, never delivered.
 */
import { mkdir, open, readdir, rename, unlink, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireDirectoryLock, type DirectoryLock } from '../../store/directory-lock.js';
import type { Logger } from '../../telemetry/logger.js';
import { decodeFrame, encodeFrame, type OutboxMessage, type StoredMessage } from './outbox-frame.js';
import { replaySegment, Segment, segmentFileName, segmentSeqOf } from './outbox-segment.js';

export type { OutboxMessage, StoredMessage } from './outbox-frame.js';

export interface OutboxOptions {
  dir: string;
  /** Pending bytes on disk at most (default 256 MiB); over it the oldest segments are dropped. */
  maxBytes?: number;
  /** Segment size (default min(maxBytes / 8, 16 MiB)). */
  segmentBytes?: number;
  fsync?: 'always' | 'never';
  /** Messages waiting in memory for the disk (default 50 000). */
  maxQueued?: number;
  logger?: Logger;
}

/** A stored message and where it is (for `ack`). */
export interface PendingMessage extends StoredMessage {
  position: { seq: number; offset: number };
}

export interface OutboxStats {
  /** Messages not yet acknowledged (on disk and queued for it). */
  depth: number;
  /** Bytes on disk not yet acknowledged. */
  bytes: number;
  /** Age of the oldest unacknowledged message (0 when empty). */
  oldestAgeSeconds: number;
  /** Messages dropped by the bounds (disk or queue) or because they were too large. */
  dropped: number;
  /** Messages acknowledged. */
  published: number;
  /** Failed delivery attempts reported with recordFailure(). */
  failedAttempts: number;
  /** Torn or corrupt frames cut off at replay. */
  corrupt: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const CURSOR_FILE = 'cursor';

export class Outbox {
  private segments: Segment[] = [];
  private active: { segment: Segment; file: FileHandle } | undefined;
  private queue: OutboxMessage[] = [];
  /** Messages taken from the queue whose append has not finished. */
  private inTransit = 0;
  private writing: Promise<void> | undefined;
  /** Serialises file operations: appends, reads, acks and drops never interleave. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<() => void> = [];
  private readonly counts = { dropped: 0, published: 0, failedAttempts: 0, corrupt: 0 };
  private closed = false;
  private lock: DirectoryLock | undefined;
  /** The next segment's number: above every segment and the cursor, so a cursor never points into a new file. */
  private nextSeq = 0;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly maxQueued: number;

  private constructor(private readonly options: OutboxOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.segmentBytes = Math.max(1024, Math.min(options.segmentBytes ?? 16 * 1024 * 1024, Math.floor(this.maxBytes / 8)));
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  /** Opens (creating) the directory and replays what a previous process left. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    outbox.lock = acquireDirectoryLock(options.dir);
    try {
      await outbox.replay();
    } catch (err) {
      outbox.lock.release();
      throw err;
    }
    return outbox;
  }

  /**
   * Queues a message for the disk without waiting (the scan path's entry point). False when
   * it was dropped (closed, or the queue is full).
   */
  enqueue(message: OutboxMessage): boolean {
    if (this.closed || this.queue.length + this.inTransit >= this.maxQueued) {
      this.drop(1, 'outbox queue full; message dropped');
      return false;
    }
    this.queue.push(message);
    this.writing ??= this.writeQueued();
    return true;
  }

  /** Resolves when everything enqueued so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Appends messages; once resolved they are on disk (fsynced with fsync 'always'). */
  append(messages: readonly OutboxMessage[]): Promise<void> {
    return this.serial(() => this.appendNow(messages));
  }

  /** Up to `max` unacknowledged messages, oldest first. */
  read(max: number): Promise<PendingMessage[]> {
    return this.serial(() => this.readNow(max));
  }

  /** Acknowledges every message up to and including the last of `messages` (in outbox order). */
  ack(messages: readonly PendingMessage[]): Promise<void> {
    const last = messages[messages.length - 1];
    if (!last) return Promise.resolve();
    return this.serial(() => this.ackNow(last.position));
  }

  recordFailure(): void {
    this.counts.failedAttempts++;
  }

  /** Called after every append that stored something (wake a delivery loop). */
  onAppended(listener: () => void): void {
    this.listeners.push(listener);
  }

  stats(): OutboxStats {
    let depth = this.queue.length + this.inTransit;
    let bytes = 0;
    let oldest: number | undefined;
    for (const s of this.segments) {
      depth += s.pending;
      bytes += s.pendingBytes;
      if (oldest === undefined && s.pending > 0) oldest = s.appendedAt[s.acked];
    }
    const oldestAgeSeconds = oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000);
    return { depth, bytes, oldestAgeSeconds, ...this.counts };
  }

  /** Writes what is queued, then closes the segment file. Later enqueues are dropped. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.serial(async () => {
      await this.active?.file.close();
      this.active = undefined;
    });
    this.lock?.release();
    this.lock = undefined;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.inTransit = batch.length;
        try {
          await this.append(batch);
        } catch (err) {
          // A full or failing disk must not crash the process that serves scans.
          this.drop(batch.length, 'outbox write failed; messages dropped', err);
        } finally {
          this.inTransit = 0;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private drop(n: number, message: string, err?: unknown): void {
    this.counts.dropped += n;
    this.options.logger?.warn({ dropped: n, droppedTotal: this.counts.dropped, dir: this.options.dir, err: (err as Error | undefined)?.message }, message);
  }

  private async replay(): Promise<void> {
    const { dir } = this.options;
    const cursor = await this.readCursor();
    const seqs = (await readdir(dir)).map(segmentSeqOf).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
    for (const seq of seqs) {
      if (seq < cursor.seq) {
        await unlink(join(dir, segmentFileName(seq)));
        continue;
      }
      const { segment, cut } = await replaySegment(dir, seq);
      if (cut) {
        this.counts.corrupt++;
        this.options.logger?.warn({ dir, segment: seq, problem: cut.problem, bytes: cut.bytes }, 'outbox: torn or corrupt tail cut off at replay');
      }
      if (seq === cursor.seq) segment.ackBefore(cursor.offset);
      this.segments.push(segment);
    }
    this.nextSeq = Math.max(cursor.seq, ...seqs) + 1;
  }

  private async readCursor(): Promise<{ seq: number; offset: number }> {
    try {
      const [seq, offset] = (await readFile(join(this.options.dir, CURSOR_FILE), 'utf8')).trim().split(' ').map(Number);
      if (Number.isSafeInteger(seq) && Number.isSafeInteger(offset)) return { seq: seq!, offset: offset! };
    } catch {
      // No cursor yet: nothing was acknowledged.
    }
    return { seq: 0, offset: 0 };
  }

  private async appendNow(messages: readonly OutboxMessage[]): Promise<void> {
    const now = Date.now();
    let stored = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const writePending = async (): Promise<void> => {
      if (pending.length === 0) return;
      const target = await this.writableSegment(pendingBytes);
      const data = Buffer.concat(pending);
      await target.file.write(data, 0, data.length, target.segment.size);
      let offset = target.segment.size;
      for (const frame of pending) {
        target.segment.added(offset, frame.length, now);
        offset += frame.length;
      }
      stored += pending.length;
      pending = [];
      pendingBytes = 0;
    };
    for (const message of messages) {
      const frame = encodeFrame(message, now);
      if (frame.length > this.segmentBytes) {
        this.drop(1, 'outbox message larger than a segment; dropped');
        continue;
      }
      if (pendingBytes + frame.length > this.segmentBytes) await writePending();
      pending.push(frame);
      pendingBytes += frame.length;
    }
    await writePending();
    if (this.options.fsync !== 'never' && this.active) await this.active.file.sync();
    await this.enforceBound();
    if (stored > 0) for (const listener of this.listeners) listener();
  }

  /** The segment `bytes` more go into: the current one, or a new one when it is full or done. */
  private async writableSegment(bytes: number): Promise<{ segment: Segment; file: FileHandle }> {
    const current = this.active;
    if (current && current.segment.size + bytes <= this.segmentBytes && current.segment.pending > 0) return current;
    if (current && current.segment.size === 0) return current;
    if (current) {
      if (this.options.fsync !== 'never') await current.file.sync();
      await current.file.close();
      this.active = undefined;
      await this.deleteAcknowledged();
    }
    const segment = Segment.inDir(this.options.dir, this.nextSeq++);
    // 'w': a leftover file of that name (not indexed) would otherwise be appended to.
    const file = await open(segment.path, 'w', 0o600);
    if (this.options.fsync !== 'never') await this.syncDir();
    this.segments.push(segment);
    this.active = { segment, file };
    return this.active;
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async readNow(max: number): Promise<PendingMessage[]> {
    const out: PendingMessage[] = [];
    segments: for (const segment of this.segments) {
      if (out.length >= max) break;
      if (segment.pending === 0) continue;
      const first = segment.acked;
      const last = Math.min(segment.count, first + (max - out.length)) - 1;
      const start = segment.offsets[first]!;
      const buffer = Buffer.alloc(segment.endOf(last) - start);
      const file = await open(segment.path, 'r');
      try {
        await file.read(buffer, 0, buffer.length, start);
      } finally {
        await file.close();
      }
      for (let i = first; i <= last; i++) {
        const offset = segment.offsets[i]!;
        try {
          const message = decodeFrame(buffer.subarray(offset - start, segment.endOf(i) - start));
          out.push({ ...message, position: { seq: segment.seq, offset } });
        } catch {
          // Passed its checksum but does not parse (written by another version): skipped by
          // acknowledging it, which is only safe once nothing before it is still out.
          if (out.length > 0) break segments;
          this.counts.corrupt++;
          segment.ackBefore(segment.endOf(i));
        }
      }
    }
    return out;
  }

  private async ackNow(position: { seq: number; offset: number }): Promise<void> {
    let acked = 0;
    for (const segment of this.segments) {
      if (segment.seq > position.seq) break;
      const before = segment.acked;
      segment.ackBefore(segment.seq < position.seq ? Infinity : position.offset + 1);
      acked += segment.acked - before;
    }
    if (acked === 0) return; // already acknowledged, or dropped by the bound meanwhile
    this.counts.published += acked;
    await this.deleteAcknowledged();
    await this.writeCursor();
  }

  /** Deletes leading segments that are fully acknowledged (never the one being written). */
  private async deleteAcknowledged(): Promise<void> {
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      if (head.pending > 0 || head === this.active?.segment) return;
      this.segments.shift();
      await unlink(head.path).catch(() => undefined);
    }
  }

  private async writeCursor(): Promise<void> {
    const head = this.segments.find((s) => s.pending > 0) ?? this.segments[this.segments.length - 1];
    const text = head ? `${head.seq} ${head.offsets[head.acked] ?? head.size}\n` : '0 0\n';
    const temp = join(this.options.dir, `${CURSOR_FILE}.tmp`);
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, join(this.options.dir, CURSOR_FILE));
  }

  /** Drop-oldest: whole segments, until the pending bytes fit the bound. */
  private async enforceBound(): Promise<void> {
    let total = this.segments.reduce((sum, s) => sum + s.pendingBytes, 0);
    while (total > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments.shift()!;
      total -= oldest.pendingBytes;
      this.counts.dropped += oldest.pending;
      this.options.logger?.warn(
        { dropped: oldest.pending, droppedTotal: this.counts.dropped, dir: this.options.dir, maxBytes: this.maxBytes },
        'outbox over its disk bound: oldest messages dropped',
      );
      await unlink(oldest.path).catch(() => undefined);
      await this.writeCursor();
    }
  }
}
