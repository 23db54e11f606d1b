import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, type OutboxMessage } from '../../src/events/outbox/outbox.js';
import { encodeFrame } from '../../src/events/outbox/outbox-frame.js';
import { startOutboxPump } from '../../src/events/outbox/outbox-pump.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-outbox-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function message(i: number, size = 10): OutboxMessage {
  return { destination: 'topic-a', key: `tenant-${i % 3}`, headers: { 'event-type': 'X', n: String(i) }, payload: Buffer.alloc(size, i % 256) };
}

const numbers = (batch: Array<{ headers: Record<string, string> }>): number[] => batch.map((m) => Number(m.headers.n));

describe('Outbox', () => {
  it('returns appended messages in order and forgets them once acknowledged', async () => {
    const outbox = await Outbox.open({ dir: tempDir() });
    await outbox.append([message(1), message(2), message(3)]);
    const first = await outbox.read(2);
    expect(numbers(first)).toEqual([1, 2]);
    expect(first[0]).toMatchObject({ destination: 'topic-a', key: 'tenant-1' });
    expect(Buffer.from(first[0]!.payload)).toEqual(Buffer.alloc(10, 1));
    expect(outbox.stats()).toMatchObject({ depth: 3, published: 0 });
    await outbox.ack(first);
    expect(numbers(await outbox.read(10))).toEqual([3]);
    expect(outbox.stats()).toMatchObject({ depth: 1, published: 2 });
    await outbox.ack(await outbox.read(10));
    expect(outbox.stats()).toMatchObject({ depth: 0, bytes: 0, oldestAgeSeconds: 0, published: 3 });
    await outbox.close();
  });

  it('enqueue is synchronous and lands on disk in order (group commit)', async () => {
    const outbox = await Outbox.open({ dir: tempDir() });
    for (let i = 0; i < 100; i++) expect(outbox.enqueue(message(i))).toBe(true);
    expect(outbox.stats().depth).toBe(100);
    await outbox.flush();
    expect(numbers(await outbox.read(1000))).toEqual([...Array(100).keys()]);
    await outbox.close();
  });

  it('replays unacknowledged messages after a restart, and not acknowledged ones', async () => {
    const dir = tempDir();
    const before = await Outbox.open({ dir, segmentBytes: 1024, maxBytes: 1 << 20 });
    for (let i = 0; i < 50; i++) before.enqueue(message(i, 40));
    await before.flush();
    await before.ack((await before.read(20)).slice(0, 20));
    await before.close();

    const after = await Outbox.open({ dir, segmentBytes: 1024, maxBytes: 1 << 20 });
    expect(after.stats().depth).toBe(30);
    expect(after.stats().oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(numbers(await after.read(1000))).toEqual([...Array(30).keys()].map((i) => i + 20));
    // New appends go to a new segment after the replayed ones.
    await after.append([message(99)]);
    const all = await after.read(1000);
    expect(numbers(all).at(-1)).toBe(99);
    await after.ack(all);
    await after.close();
    const again = await Outbox.open({ dir });
    expect(again.stats().depth).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(1);
    await again.close();
  });

  it('cuts a torn last record (crash mid-write) and keeps everything before it', async () => {
    const dir = tempDir();
    const before = await Outbox.open({ dir });
    await before.append([message(1), message(2)]);
    await before.close();
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    const torn = encodeFrame(message(3), Date.now()).subarray(0, 17);
    appendFileSync(segment, torn);
    const sizeWithTorn = statSync(segment).size;

    const after = await Outbox.open({ dir });
    expect(after.stats()).toMatchObject({ depth: 2, corrupt: 1 });
    expect(statSync(segment).size).toBe(sizeWithTorn - torn.length);
    await after.append([message(4)]);
    expect(numbers(await after.read(10))).toEqual([1, 2, 4]);
    await after.close();
  });

  it('cuts a record whose checksum fails', async () => {
    const dir = tempDir();
    const before = await Outbox.open({ dir });
    await before.append([message(1)]);
    await before.close();
    const garbled = encodeFrame(message(2), Date.now());
    garbled[garbled.length - 1]! ^= 0xff;
    appendFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!), garbled);
    const after = await Outbox.open({ dir });
    expect(numbers(await after.read(10))).toEqual([1]);
    expect(after.stats().corrupt).toBe(1);
    await after.close();
  });

  it('over maxBytes drops the oldest messages, counts them and keeps the newest', async () => {
    const dir = tempDir();
    // 8 KiB budget → 1 KiB segments; ~100-byte frames.
    const outbox = await Outbox.open({ dir, maxBytes: 8 * 1024 });
    for (let i = 0; i < 400; i++) await outbox.append([message(i, 40)]);
    const stats = outbox.stats();
    expect(stats.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.dropped + stats.depth).toBe(400);
    const left = numbers(await outbox.read(1000));
    expect(left.at(-1)).toBe(399);
    expect(left).toEqual([...Array(left.length).keys()].map((i) => i + 400 - left.length));
    await outbox.close();
  });

  it('drops (and counts) messages when the in-memory queue is full', async () => {
    const outbox = await Outbox.open({ dir: tempDir(), maxQueued: 5 });
    const accepted = Array.from({ length: 8 }, (_, i) => outbox.enqueue(message(i))).filter(Boolean).length;
    expect(accepted).toBe(5);
    expect(outbox.stats().dropped).toBe(3);
    await outbox.close();
  });
});

describe('startOutboxPump', () => {
  it('retries a failing destination with backoff, then delivers everything once', async () => {
    const outbox = await Outbox.open({ dir: tempDir() });
    const delivered: number[] = [];
    let failuresLeft = 3;
    const pump = startOutboxPump(outbox, {
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      send: async (batch) => {
        if (failuresLeft-- > 0) throw new Error('destination down');
        delivered.push(...numbers(batch));
      },
    });
    for (let i = 0; i < 20; i++) outbox.enqueue(message(i));
    await expect.poll(() => delivered.length, { timeout: 20_000 }).toBe(20);
    expect(delivered).toEqual([...Array(20).keys()]);
    expect(outbox.stats()).toMatchObject({ depth: 0, published: 20, failedAttempts: 3 });
    await pump.stop();
    await outbox.close();
  });
});

describe('Outbox lock', () => {
  it('one open outbox per directory; the lock goes with close', async () => {
    const dir = tempDir();
    const first = await Outbox.open({ dir });
    await expect(Outbox.open({ dir })).rejects.toThrow(/already open in this process/);
    await first.close();
    const second = await Outbox.open({ dir });
    await second.close();
  });
});
