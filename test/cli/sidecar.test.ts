import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { ScanRequestSchema, ScanResponseSchema } from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { runCli, spawnCli } from './run-cli.js';
import { BLOCK_PHRASE_POLICY, INVALID_POLICY, writePolicy } from './policy-fixtures.js';

interface Started {
  child: ChildProcess;
  startup: Record<string, unknown>;
  logs: Array<Record<string, unknown>>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `bulwark sidecar …` and resolves with its first log line that has an address. */
function startSidecarProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawnCli(['sidecar', ...args], env);
  children.push(child);
  child.stdin?.end();
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sidecar exited early with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.address === 'string') {
        child.removeAllListeners('exit');
        resolve({ child, startup: entry, logs });
      }
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const identity = (b: Buffer): Buffer => b;

function unary(address: string, path: string, request: Buffer): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, request, { deadline: Date.now() + 10_000 }, (err, value) => {
      client.close();
      if (err) reject(err);
      else resolve(value as Buffer);
    });
  });
}

/** grpc.health.v1.HealthCheckResponse { status: SERVING } is field 1 = 1: bytes 08 01. */
const SERVING = Buffer.from([0x08, 0x01]);

describe('bulwark sidecar', () => {
  it('logs its address, answers a gRPC health check and a Scan, and exits 0 on SIGTERM', async () => {
    const policy = writePolicy('sidecar-block.yaml', BLOCK_PHRASE_POLICY);
    const { child, startup, logs } = await startSidecarProcess(['--listen', '127.0.0.1:0', '--workers', '1', '--policy', policy]);
    const address = startup.address as string;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(startup.workers).toBe(1);
    expect(startup.policyVersion).toMatch(/^sha256:/);

    expect(await unary(address, '/grpc.health.v1.Health/Check', Buffer.alloc(0))).toEqual(SERVING);
    const request = toBinary(ScanRequestSchema, create(ScanRequestSchema, { content: 'a purple elephant' }));
    const response = fromBinary(ScanResponseSchema, await unary(address, '/bulwark.v1.SecurityScanService/Scan', Buffer.from(request)));
    expect(response.action).toBe(Action.BLOCK);
    expect(response.threats[0]?.ruleId).toBe('no-purple-elephants');

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.map((l) => l.msg)).toContain('shutting down: draining in-flight scans');
    // Logs never carry scanned content.
    expect(JSON.stringify(logs)).not.toContain('purple elephant');
  });

  it('takes its address and workers from BULWARK_LISTEN / BULWARK_WORKERS, and exits 0 on SIGINT', async () => {
    const { child, startup } = await startSidecarProcess([], { BULWARK_LISTEN: '127.0.0.1:0', BULWARK_WORKERS: '1' });
    expect(startup.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(startup.address).not.toBe('127.0.0.1:50051');
    expect(startup.workers).toBe(1);
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('a flag wins over its environment variable', async () => {
    const { child, startup } = await startSidecarProcess(['--workers', '1', '--listen', '127.0.0.1:0'], { BULWARK_WORKERS: '3' });
    expect(startup.workers).toBe(1);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start with an invalid policy: exit 1 naming line and field', async () => {
    const policy = writePolicy('sidecar-invalid.yaml', INVALID_POLICY);
    const r = await runCli(['sidecar', '--listen', '127.0.0.1:0', '--workers', '1', '--policy', policy]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${policy}:7 spec.customRules[0].action`);
  });

  it('rejects a bad BULWARK_WORKERS value as a usage error', async () => {
    const r = await runCli(['sidecar'], undefined, { BULWARK_WORKERS: 'many' });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('BULWARK_WORKERS must be a positive integer');
  });
});
