/**
 * The record spill file on a real file system: records come back in order and exactly once
 * across reopen (the offset survives), a batch read without commit is read again, a torn
 * last line is skipped and later appends still decode, and a drained file is emptied.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { ScanRecordSchema } from '../../gen/bulwark/v1/scan_record_pb.js';
import { RecordSpoolFile } from '../../src/sidecar/record-spool-file.js';

const root = mkdtempSync(join(tmpdir(), 'bulwark-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const record = (n: number) => create(ScanRecordSchema, { scanId: randomUUID(), tenantId: 'acme', contentLength: n, contentHash: `hmac-sha256:${n}` });

describe('record spill file', () => {
  it('keeps order, survives reopening, and re-reads an uncommitted batch', async () => {
    const dir = join(root, 'a');
    const spool = new RecordSpoolFile(dir);
    const written = Array.from({ length: 25 }, (_, i) => record(i));
    await spool.append(written.slice(0, 10));
    await spool.append(written.slice(10));
    const first = await spool.read(10);
    expect(first.records.map((r) => r.contentLength)).toEqual([...Array(10).keys()]);
    await spool.commit(first.nextOffset);
    const uncommitted = await spool.read(10);
    expect(uncommitted.records[0]!.contentLength).toBe(10);

    const reopened = new RecordSpoolFile(dir); // a restart: the offset of the commit holds
    const again = await reopened.read(100);
    expect(again.records.map((r) => r.scanId)).toEqual(written.slice(10).map((r) => r.scanId));
    await reopened.commit(again.nextOffset);
    expect(reopened.pendingBytes).toBe(0);
    expect(statSync(join(dir, 'records.spool')).size).toBe(0);
    expect(readFileSync(join(dir, 'records.offset'), 'utf8')).toBe('0');
  });

  it('skips a torn last line, and appends after it still decode', async () => {
    const dir = join(root, 'b');
    const spool = new RecordSpoolFile(dir);
    await spool.append([record(1), record(2)]);
    appendFileSync(join(dir, 'records.spool'), 'Q2hhcm'); // a crash in the middle of an append
    const reopened = new RecordSpoolFile(dir);
    await reopened.append([record(3)]);
    const batch = await reopened.read(100);
    expect(batch.records.map((r) => r.contentLength)).toEqual([1, 2, 3]);
    expect(batch.corrupt).toBe(1);
  });

  it('an empty spool reads nothing', async () => {
    const spool = new RecordSpoolFile(join(root, 'c'));
    expect(await spool.read(10)).toEqual({ records: [], corrupt: 0, nextOffset: 0 });
  });
});
