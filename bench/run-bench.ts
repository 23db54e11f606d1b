/**
 * `npm run bench`: latency and throughput of the sidecar's Scan RPC against an empty RPC
 * (grpc.health.v1.Health/Check, the transport's ceiling) on the same server, for several
 * content sizes and concurrencies, plus the server's memory. `--soak N` instead runs N
 * 1 KB scans and prints the server's RSS as it goes, to show memory does not grow.
 *
 *   npm run bench -- [--quick] [--out FILE] [--soak N] [--policy FILE] [--workers N] [--cli PATH]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ScanRequestSchema, ScanResponseSchema } from '../gen/bulwark/v1/scan_service_pb.js';
import { Action, Direction } from '../gen/bulwark/v1/threat_pb.js';
import { benchContent } from './bench-content.js';
import { GrpcLoadClient, type LoadResult, type UnaryTarget } from './grpc-load.js';
import { loadAverageNow, machineInfo, type MachineInfo } from './machine-info.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { formatGrid, formatTargets, type BenchCell, type TargetCheck } from './format-report.js';

const SIZES = [256, 1024, 8 * 1024, 64 * 1024];
const CONCURRENCIES = [1, 16, 64];
const SCAN_PATH = '/bulwark.v1.SecurityScanService/Scan';
const HEALTH: UnaryTarget = { path: '/grpc.health.v1.Health/Check', request: Buffer.alloc(0) };

interface BenchConfig {
  quick: boolean;
  out?: string;
  soak?: number;
  sidecarArgs: string[];
  /** Another build's CLI entry to bench (default: this build's). */
  cli?: string;
}

function parseConfig(argv: string[]): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      soak: { type: 'string' },
      policy: { type: 'string' },
      workers: { type: 'string' },
      cli: { type: 'string' },
    },
    strict: true,
  });
  const sidecarArgs: string[] = [];
  if (values.policy) sidecarArgs.push('--policy', values.policy);
  if (values.workers) sidecarArgs.push('--workers', values.workers);
  const config: BenchConfig = { quick: values.quick ?? false, sidecarArgs };
  if (values.out) config.out = values.out;
  if (values.cli) config.cli = values.cli;
  if (values.soak) {
    const n = Number(values.soak.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--soak needs a positive count, got "${values.soak}"`);
    config.soak = n;
  }
  return config;
}

function scanTarget(bytes: number): UnaryTarget {
  const msg = create(ScanRequestSchema, { content: benchContent(bytes), direction: Direction.INPUT });
  return {
    path: SCAN_PATH,
    request: Buffer.from(toBinary(ScanRequestSchema, msg)),
    serverLatencyMs: (response) => fromBinary(ScanResponseSchema, response).latencyMs,
  };
}

/** Starts the built CLI, or the TypeScript source through tsx when run unbuilt. */
function startServer(config: BenchConfig): Promise<ServerProcess> {
  const unbuilt = fileURLToPath(import.meta.url).endsWith('.ts');
  const cli = config.cli ?? fileURLToPath(new URL(unbuilt ? '../src/cli/main.ts' : '../src/cli/main.js', import.meta.url));
  return startServerProcess(cli, config.sidecarArgs, cli.endsWith('.ts') ? ['--import', 'tsx'] : []);
}

function printHeader(info: MachineInfo, server: ServerProcess): void {
  console.log(`command: ${info.command}`);
  console.log(`date:    ${info.date}`);
  console.log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, node ${info.node}`);
  const busy = info.loadAverage1m > info.cores * 0.5;
  console.log(`load:    ${info.loadAverage1m} (1-min average at start)${busy ? ' -- WARNING: the machine is busy; numbers are not representative' : ''}`);
  const s = server.startup;
  console.log(`server:  pid ${server.pid} at ${server.address}, workers ${String(s.workers)}, policy ${String(s.policyVersion ?? '?')}`);
}

/** One decoded Scan answer per size, so the report says what the scans decided. */
async function describeScan(client: GrpcLoadClient, target: UnaryTarget): Promise<string> {
  try {
    const res = fromBinary(ScanResponseSchema, await client.call(target));
    return `${Action[res.action]} with ${res.threats.length} threat(s)`;
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

async function runGrid(config: BenchConfig, client: GrpcLoadClient, server: ServerProcess): Promise<BenchCell[]> {
  const warmupMs = config.quick ? 300 : 1000;
  const durationMs = config.quick ? 1500 : 5000;
  const targets = new Map(SIZES.map((s) => [s, scanTarget(s)] as const));
  for (const [size, target] of targets) console.log(`  ${size} B request decides: ${await describeScan(client, target)}`);
  // Both processes start cold (JIT, buffers, worker pools): without this the first cell
  // measured (the empty RPC at concurrency 1) came out 3x slower than when run later.
  for (const target of [HEALTH, ...targets.values()]) await client.run(target, { concurrency: 16, durationMs: warmupMs });
  const cells: BenchCell[] = [];
  for (const concurrency of CONCURRENCIES) {
    const empty = await client.run(HEALTH, { concurrency, warmupMs, durationMs });
    for (const [size, target] of targets) {
      const scan: LoadResult = await client.run(target, { concurrency, warmupMs, durationMs });
      const cell: BenchCell = { sizeBytes: size, concurrency, scan, empty, rssMiB: server.rssMiB() };
      cells.push(cell);
      process.stderr.write(`  done: ${size} B at concurrency ${concurrency}\n`);
    }
  }
  return cells;
}

function checkTargets(cells: BenchCell[], rssMaxMiB: number): TargetCheck[] {
  const at = (size: number, c: number): BenchCell | undefined => cells.find((x) => x.sizeBytes === size && x.concurrency === c);
  const checks: TargetCheck[] = [];
  for (const c of [16, 64]) {
    const cell = at(1024, c);
    if (!cell) continue;
    const ratio = cell.scan.perSecond / cell.empty.perSecond;
    checks.push({
      target: `1 KB scans/s >= 0.5 x empty RPC/s (concurrency ${c})`,
      measured: `${cell.scan.perSecond.toFixed(0)} / ${cell.empty.perSecond.toFixed(0)} = ${ratio.toFixed(2)}`,
      pass: ratio >= 0.5 && cell.scan.errors === 0,
    });
  }
  const c16 = at(1024, 16);
  if (c16) {
    checks.push({ target: '1 KB p99 <= 2 ms (concurrency 16)', measured: `${c16.scan.p99.toFixed(2)} ms`, pass: c16.scan.p99 <= 2 });
  }
  checks.push({ target: 'server RSS <= 200 MB', measured: `${rssMaxMiB.toFixed(0)} MiB (max seen)`, pass: rssMaxMiB <= 200 });
  return checks;
}

async function runSoak(n: number, client: GrpcLoadClient, server: ServerProcess): Promise<Array<{ scans: number; rssMiB: number }>> {
  const every = Math.min(100_000, Math.max(1, Math.ceil(n / 10)));
  const points = [{ scans: 0, rssMiB: server.rssMiB() }];
  console.log(`soak: ${n} scans of 1 KB at concurrency 16; RSS every ${every}`);
  console.log(`  ${'0'.padStart(9)} scans  RSS ${points[0]!.rssMiB.toFixed(1)} MiB`);
  const t0 = performance.now();
  const result = await client.run(scanTarget(1024), {
    concurrency: 16,
    count: n,
    progressEvery: every,
    onProgress: (completed) => {
      const rssMiB = server.rssMiB();
      points.push({ scans: completed, rssMiB });
      const rate = (completed * 1000) / (performance.now() - t0);
      console.log(`  ${String(completed).padStart(9)} scans  RSS ${rssMiB.toFixed(1)} MiB  (${rate.toFixed(0)} scans/s)`);
    },
  });
  console.log(
    `soak done: ${result.count} ok, ${result.errors} errors${result.firstError ? ` (first: ${result.firstError})` : ''}; ` +
      `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.perSecond.toFixed(0)} scans/s`,
  );
  return points;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const config = parseConfig(argv);
  const info = machineInfo(argv);
  const server = await startServer(config);
  const client = new GrpcLoadClient(server.address, 4);
  const report: Record<string, unknown> = { machine: info, server: { pid: server.pid, startup: server.startup } };
  try {
    printHeader(info, server);
    const rssBefore = server.rssMiB();
    console.log(`server RSS before: ${rssBefore.toFixed(1)} MiB`);
    if (config.soak !== undefined) {
      report.soak = await runSoak(config.soak, client, server);
    } else {
      const cells = await runGrid(config, client, server);
      const rssAfter = server.rssMiB();
      console.log(formatGrid(cells));
      console.log(`server RSS before: ${rssBefore.toFixed(1)} MiB, after: ${rssAfter.toFixed(1)} MiB`);
      console.log(`load average at the end: ${loadAverageNow()}`);
      const rssMax = Math.max(rssBefore, rssAfter, ...cells.map((c) => c.rssMiB));
      const checks = checkTargets(cells, rssMax);
      console.log(formatTargets(checks));
      Object.assign(report, { cells, rssBeforeMiB: rssBefore, rssAfterMiB: rssAfter, targets: checks });
    }
  } finally {
    client.close();
    const stopped = await server.stop();
    console.log(`server stopped on SIGTERM: exit ${stopped.code ?? stopped.signal} after ${stopped.ms.toFixed(0)} ms`);
    report.shutdown = stopped;
  }
  if (config.out) {
    writeFileSync(config.out, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${config.out}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
