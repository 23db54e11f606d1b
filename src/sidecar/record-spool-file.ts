/**
 * The local spill file of scan records the control plane has not taken yet.
 *
 * `<dir>/records.spool` is append-only: one record per line, base64 of the protobuf
 * ScanRecord. `<dir>/records.offset` holds the byte offset up to which records were
 * delivered (written atomically after each delivered batch). A crash between delivering a
 * batch and writing the offset re-sends that batch on restart: harmless, ingest is
 * idempotent by scan id. When everything is delivered both files are emptied. A torn last
 * line (a crash during an append) fails to decode and is skipped with a count.
 *
 * File I/O is asynchronous (an fsync must not stall the event loop that serves scans); the
 * one caller (the shipper's loop) runs one operation at a time.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { open, rename, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ScanRecordSchema, type ScanRecord } from '../../gen/bulwark/v1/scan_record_pb.js';

const READ_CHUNK_BYTES = 1 << 20;

/** Records read from the file, and where the next read starts once they are delivered. */
export interface SpoolBatch {
  records: ScanRecord[];
  /** Lines that did not decode (skipped). */
  corrupt: number;
  nextOffset: number;
}

export class RecordSpoolFile {
  private readonly path: string;
  private readonly offsetPath: string;
  private offset = 0;
  private size = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, 'records.spool');
    this.offsetPath = join(dir, 'records.offset');
    if (existsSync(this.path)) {
      this.size = statSync(this.path).size;
      const stored = existsSync(this.offsetPath) ? Number(readFileSync(this.offsetPath, 'utf8').trim()) : 0;
      this.offset = Number.isSafeInteger(stored) && stored >= 0 && stored <= this.size ? stored : 0;
      if (this.size > 0 && !this.endsWithNewline()) this.endTornLine();
    }
  }

  /** Bytes not yet delivered. */
  get pendingBytes(): number {
    return this.size - this.offset;
  }

  /** Appends records and fsyncs: once this returns they survive a crash. */
  async append(records: readonly ScanRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map((r) => Buffer.from(toBinary(ScanRecordSchema, r)).toString('base64')).join('\n') + '\n';
    const file = await open(this.path, 'a', 0o600);
    try {
      await file.writeFile(text, 'latin1');
      await file.sync();
    } finally {
      await file.close();
    }
    this.size += text.length;
  }

  /** Up to `max` records from the delivered offset. */
  async read(max: number): Promise<SpoolBatch> {
    if (this.pendingBytes === 0) return { records: [], corrupt: 0, nextOffset: this.offset };
    const file = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(READ_CHUNK_BYTES, this.pendingBytes));
      const { bytesRead: n } = await file.read(buffer, 0, buffer.length, this.offset);
      const text = buffer.subarray(0, n).toString('latin1'); // base64 and '\n' only: 1 byte = 1 char
      const records: ScanRecord[] = [];
      let corrupt = 0;
      let pos = 0;
      while (records.length < max) {
        const nl = text.indexOf('\n', pos);
        if (nl < 0) break;
        const line = text.slice(pos, nl);
        pos = nl + 1;
        if (line.length === 0) continue;
        try {
          records.push(fromBinary(ScanRecordSchema, Buffer.from(line, 'base64')));
        } catch {
          corrupt++;
        }
      }
      // A line longer than the chunk cannot be a record: skip it whole.
      if (pos === 0 && n === READ_CHUNK_BYTES) return { records, corrupt: corrupt + 1, nextOffset: this.offset + n };
      return { records, corrupt, nextOffset: this.offset + pos };
    } finally {
      await file.close();
    }
  }

  /** Marks everything before `nextOffset` delivered; empties the files when all is. */
  async commit(nextOffset: number): Promise<void> {
    this.offset = nextOffset;
    if (this.offset >= this.size) {
      // A crash before the offset below is rewritten leaves an offset beyond the emptied
      // file, which the constructor resets to 0: nothing is re-sent or lost.
      await truncate(this.path, 0);
      this.size = 0;
      this.offset = 0;
    }
    const temp = `${this.offsetPath}.tmp`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(String(this.offset));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.offsetPath);
  }

  /** Startup only (synchronous is fine there). */
  private endTornLine(): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, '\n');
    } finally {
      closeSync(fd);
    }
    this.size += 1;
  }

  private endsWithNewline(): boolean {
    const fd = openSync(this.path, 'r');
    try {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, this.size - 1);
      return last[0] === 0x0a;
    } finally {
      closeSync(fd);
    }
  }
}
