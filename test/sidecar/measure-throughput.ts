/**
 * NOT a test: measures Scan (1 KB benign text) against grpc.health.v1.Health/Check on the
 * same sidecar, closed loop at a fixed concurrency, from a separate process than the server.
 *
 *   node --import tsx test/sidecar/measure-throughput.ts [concurrency=64] [seconds=10]
 *
 * The sidecar runs in a child process (test/fixtures/sidecar-child.ts, default workers).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { create, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { ScanRequestSchema } from '../../gen/bulwark/v1/scan_service_pb.js';

const concurrency = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 10);
const childScript = fileURLToPath(new URL('../fixtures/sidecar-child.ts', import.meta.url));

const TEXT = 'The quarterly review covered revenue, hiring plans and the new office lease. '.repeat(14).slice(0, 1024);
const scanBody = Buffer.from(toBinary(ScanRequestSchema, create(ScanRequestSchema, { content: TEXT })));
const healthBody = Buffer.alloc(0);
const identity = (b: Buffer): Buffer => b;

async function run(address: string, path: string, body: Buffer, durationMs: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t = performance.now();
      client.makeUnaryRequest(path, identity, identity, body, (err) => {
        if (err) errors++;
        else latencies.push(performance.now() - t);
        resolve();
      });
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

const child = spawn(process.execPath, ['--import', 'tsx', childScript], { stdio: ['ignore', 'pipe', 'inherit'] });
const address = await new Promise<string>((resolve) =>
  createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { address: string }).address)),
);
const fmt = (r: Awaited<ReturnType<typeof run>>): string =>
  `${Math.round(r.rps)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}`;
console.log(`sidecar ${address}, concurrency ${concurrency}, ${seconds} s per run, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await run(address, '/bulwark.v1.SecurityScanService/Scan', scanBody, 2000); // warm-up
for (let round = 1; round <= 2; round++) {
  console.log(`round ${round} Health/Check: ${fmt(await run(address, '/grpc.health.v1.Health/Check', healthBody, seconds * 1000))}`);
  console.log(`round ${round} Scan 1 KB:    ${fmt(await run(address, '/bulwark.v1.SecurityScanService/Scan', scanBody, seconds * 1000))}`);
}
child.kill('SIGTERM');
