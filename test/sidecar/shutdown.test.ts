import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { chunk, scanClient, statusOf } from '../helpers/scan-client.js';
import { startTestSidecar } from './sidecar-fixture.js';

const SLOW_CONTENT = 'jane.doe@example.com call +1 415 555 0100 '.repeat(5000);
const UUID = /^[0-9a-f-]{36}$/;
const childScript = fileURLToPath(new URL('../fixtures/sidecar-child.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('graceful close', () => {
  it('finishes a scan in flight, refuses new calls, then stops', async () => {
    const sidecar = await startTestSidecar({ workers: 1 });
    const client = scanClient(sidecar.address);
    await client.scan({ content: 'warm the connection' });
    const inFlight = client.scan({ content: SLOW_CONTENT });
    await expect.poll(() => sidecar.pool.stats().running, { interval: 2 }).toBe(1);
    const closed = sidecar.close(10_000);
    const refused = await statusOf(client.scan({ content: 'too late' }));
    expect(refused.code).toBe(status.UNAVAILABLE);
    const latecomer = scanClient(sidecar.address);
    expect((await statusOf(latecomer.scan({ content: 'new connection' }, { deadlineMs: 2000 }))).code).toBe(status.UNAVAILABLE);
    latecomer.close();
    // Answered with a decision (which one depends on the time budget on a busy machine), not cut.
    const response = await inFlight;
    expect(response.scanId).toMatch(UUID);
    expect(response.action).not.toBe(Action.UNSPECIFIED);
    await closed;
    client.close();
  });

  it('lets an open StreamScan finish during the grace period', async () => {
    const sidecar = await startTestSidecar({ workers: 1 });
    const client = scanClient(sidecar.address);
    const call = client.streamScan();
    const responses: StreamScanResponse[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (r: StreamScanResponse) => responses.push(r));
      call.on('error', reject);
      call.on('end', resolve);
    });
    call.write(chunk({ streamId: 's', content: 'The first part of an answer ' }));
    await expect.poll(() => responses.length).toBe(1);
    const closed = sidecar.close(10_000);
    call.write(chunk({ streamId: 's', content: 'and its last part.', endOfStream: true }));
    call.end();
    await ended;
    expect(responses.map((r) => r.releasedContent).join('')).toBe('The first part of an answer and its last part.');
    await closed;
    client.close();
  });

  it('cuts what is left when the grace period is over', async () => {
    const sidecar = await startTestSidecar({ workers: 1 });
    const client = scanClient(sidecar.address);
    const call = client.streamScan();
    const failed = new Promise<number>((resolve) => {
      call.on('error', (err: { code: number }) => resolve(err.code));
      call.on('data', () => undefined);
    });
    call.write(chunk({ streamId: 'never-ends', content: 'hello' }));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await sidecar.close(300);
    expect(performance.now() - started).toBeLessThan(3000);
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(await failed);
    client.close();
  });
});

describe('SIGTERM to a sidecar process', () => {
  it('drains the scan in flight and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const address = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { address: string }).address));
    });
    const client = scanClient(address);
    await client.scan({ content: 'warm up' });
    const inFlight = client.scan({ content: SLOW_CONTENT });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.scanId).toMatch(UUID);
    expect(response.action).not.toBe(Action.UNSPECIFIED);
    expect(await exited).toBe(0);
    client.close();
  });
});
