/**
 * A real crash: a child process appends to an outbox and is killed with SIGKILL mid-stream.
 * Everything it was told is durable is there after reopening, in order, nothing half-read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/events/outbox/outbox.js';

const child = fileURLToPath(new URL('./fixtures/outbox-writer-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-outbox-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox after SIGKILL', () => {
  it('keeps every acknowledged append, in order, after the writer is killed mid-write', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let durable = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.stdout!.on('data', (data: Buffer) => {
        buffered += data.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) durable = Math.max(durable, Number(line));
        if (durable >= 3_000) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => proc.once('exit', resolve));

    // The lock file names a dead process: taken over.
    const outbox = await Outbox.open({ dir, segmentBytes: 64 * 1024, maxBytes: 1 << 30 });
    const messages = await outbox.read(1_000_000);
    expect(messages.length).toBeGreaterThanOrEqual(durable);
    expect(messages.map((m) => Number(m.headers.n))).toEqual(Array.from({ length: messages.length }, (_, i) => i));
    expect(outbox.stats().corrupt).toBeLessThanOrEqual(1);
    await outbox.close();
  }, 60_000);
});
