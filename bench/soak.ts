/**
 * `npm run soak -- --minutes N`: sustained load on a real sidecar process, to show that
 * latency and memory do not drift.
 *
 * 1. Starts `bulwark sidecar` in its own process (tenant acme's policy: detectors on defaults,
 *    agents for CheckAction).
 * 2. Warms up for 3 s, then measures capacity: closed-loop calls of the mix (soak-mix.ts: half unary Scans, a quarter
 *    4-chunk StreamScans, a quarter CheckActions) at concurrency 16 for --capacity-seconds;
 *    or takes --rate (calls/s) as given.
 * 3. Drives 70% of it (--load) open-loop, evenly paced, for N minutes; per window (60 s, or
 *    15 s when N < 2 so a short run still has a start and an end) reports p50/p99 per kind,
 *    errors and the sidecar's RSS (VmRSS from /proc).
 * 4. Prints a table and a JSON summary: drift of p99 (last window vs first) and of RSS (end vs
 *    start, start = after warm-up), with machine, load average and command.
 *
 *   npm run soak -- [--minutes 10] [--rate N | --capacity-seconds 15] [--load 0.7] [--workers N]
 *                   [--cli PATH] [--out FILE]
 *
 * Latency is measured from the moment a call is issued. Issued calls beyond --max-in-flight
 * are not sent but counted as `shed` (the sidecar could not keep up: the run is invalid).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize } from './latency-stats.js';
import { loadAverageNow, machineInfo } from './machine-info.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { CALL_KINDS, MIX, SOAK_POLICY, SoakClient, type CallKind } from './soak-mix.js';

interface SoakConfig {
  minutes: number;
  rate: number | undefined;
  capacitySeconds: number;
  load: number;
  workers: string | undefined;
  cli: string | undefined;
  out: string | undefined;
  maxInFlight: number;
}

interface KindStats {
  count: number;
  errors: number;
  p50: number;
  p99: number;
}

interface Window {
  /** Seconds since the soak started, at the window's end. */
  endSeconds: number;
  calls: number;
  perSecond: number;
  errors: number;
  shed: number;
  p50: number;
  p99: number;
  kinds: Record<CallKind, KindStats>;
  rssMiB: number;
  firstError?: string;
}

function positive(value: string | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} needs a positive number, got "${value}"`);
  return n;
}

function parseConfig(argv: string[]): SoakConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      rate: { type: 'string' },
      'capacity-seconds': { type: 'string' },
      load: { type: 'string' },
      workers: { type: 'string' },
      cli: { type: 'string' },
      out: { type: 'string' },
      'max-in-flight': { type: 'string' },
    },
    strict: true,
  });
  const load = positive(values.load, '--load', 0.7)!;
  if (load > 1) throw new Error('--load is a fraction of capacity, at most 1');
  return {
    minutes: positive(values.minutes, '--minutes', 10)!,
    rate: positive(values.rate, '--rate'),
    capacitySeconds: positive(values['capacity-seconds'], '--capacity-seconds', 15)!,
    load,
    workers: values.workers,
    cli: values.cli,
    out: values.out,
    maxInFlight: positive(values['max-in-flight'], '--max-in-flight', 2048)!,
  };
}

/** Starts the built CLI, or the TypeScript source through tsx when run unbuilt. */
function startServer(config: SoakConfig, policyFile: string): Promise<ServerProcess> {
  const unbuilt = fileURLToPath(import.meta.url).endsWith('.ts');
  const cli = config.cli ?? fileURLToPath(new URL(unbuilt ? '../src/cli/main.ts' : '../src/cli/main.js', import.meta.url));
  const args = ['--policy', policyFile, ...(config.workers ? ['--workers', config.workers] : [])];
  // Metrics on (as in production) but on a free port: 9464 may be taken on a shared machine.
  return startServerProcess(cli, args, cli.endsWith('.ts') ? ['--import', 'tsx'] : [], { BULWARK_METRICS_LISTEN: '127.0.0.1:0' });
}

/** Closed loop at `concurrency` for `seconds`: completed calls of the mix per second. */
async function measureCapacity(client: SoakClient, seconds: number, concurrency = 16): Promise<number> {
  let i = 0;
  let done = 0;
  const stopAt = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        const n = i++;
        await client.call(MIX[n % MIX.length]!, n).then(
          () => done++,
          () => undefined,
        );
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

/** Latencies of one window, per kind. */
class WindowRecorder {
  private samples = new Map<CallKind, number[]>(CALL_KINDS.map((k) => [k, []]));
  private errors = new Map<CallKind, number>(CALL_KINDS.map((k) => [k, 0]));
  shed = 0;
  firstError: string | undefined;

  ok(kind: CallKind, ms: number): void {
    this.samples.get(kind)!.push(ms);
  }

  failed(kind: CallKind, err: unknown): void {
    this.errors.set(kind, this.errors.get(kind)! + 1);
    this.firstError ??= (err as Error).message;
  }

  close(endSeconds: number, seconds: number, rssMiB: number): Window {
    const all = [...this.samples.values()].flat();
    const total = summarize(all, 0, seconds * 1000);
    const kinds = Object.fromEntries(
      CALL_KINDS.map((k) => {
        const s = summarize(this.samples.get(k)!, 0, 0);
        return [k, { count: s.count, errors: this.errors.get(k)!, p50: s.p50, p99: s.p99 }];
      }),
    ) as Record<CallKind, KindStats>;
    const errors = [...this.errors.values()].reduce((a, b) => a + b, 0);
    const window: Window = { endSeconds, calls: total.count, perSecond: total.perSecond, errors, shed: this.shed, p50: total.p50, p99: total.p99, kinds, rssMiB };
    if (this.firstError) window.firstError = this.firstError;
    return window;
  }
}

/** Open loop at `rate` calls/s for `seconds`, evenly paced; one Window per `windowSeconds`. */
async function drive(client: SoakClient, server: ServerProcess, rate: number, seconds: number, windowSeconds: number, maxInFlight: number, onWindow: (w: Window) => void): Promise<Window[]> {
  const windows: Window[] = [];
  let recorder = new WindowRecorder();
  let issued = 0;
  let inFlight = 0;
  const started = performance.now();
  let windowStarted = started;
  const pending = new Set<Promise<void>>();
  const issue = (n: number): void => {
    const kind = MIX[n % MIX.length]!;
    if (inFlight >= maxInFlight) {
      recorder.shed++;
      return;
    }
    inFlight++;
    const t0 = performance.now();
    // Counted in the window where the answer arrives: a slow call straddling a window's end
    // must not be dropped (that would flatter p99).
    const p = client.call(kind, n).then(
      () => recorder.ok(kind, performance.now() - t0),
      (err: unknown) => recorder.failed(kind, err),
    );
    const tracked = p.finally(() => {
      inFlight--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const elapsed = (now - started) / 1000;
      const due = Math.min(Math.floor(rate * Math.min(elapsed, seconds)), Math.ceil(rate * seconds));
      while (issued < due) issue(issued++);
      if ((now - windowStarted) / 1000 >= windowSeconds || elapsed >= seconds) {
        const window = recorder.close(Math.round(elapsed), (now - windowStarted) / 1000, server.rssMiB());
        windows.push(window);
        onWindow(window);
        recorder = new WindowRecorder();
        windowStarted = now;
      }
      if (elapsed >= seconds) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  // Answers still in flight at the end are waited for but not counted in any window.
  await Promise.all(pending);
  return windows;
}

const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(2) : '-');

function printRow(w: Window): void {
  const k = (kind: CallKind) => `${fmt(w.kinds[kind].p50)}/${fmt(w.kinds[kind].p99)}`.padStart(13);
  console.log(
    `${String(w.endSeconds).padStart(6)}  ${w.perSecond.toFixed(0).padStart(7)}  ${k('scan')}  ${k('stream')}  ${k('action')}  ${fmt(w.p99).padStart(8)}  ${String(w.errors).padStart(6)}  ${String(w.shed).padStart(5)}  ${w.rssMiB.toFixed(1).padStart(8)}`,
  );
}

const pct = (end: number, start: number): number => Math.round(((end - start) / start) * 1000) / 10;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const config = parseConfig(argv);
  const info = { ...machineInfo(argv), command: ['npm run soak --', ...argv].join(' ') };
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-soak-'));
  const policyFile = join(dir, 'soak-policy.yaml');
  writeFileSync(policyFile, SOAK_POLICY);
  const server = await startServer(config, policyFile);
  const client = new SoakClient(server.address);
  try {
    console.log(`command: ${info.command}`);
    console.log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, node ${info.node}; load ${info.loadAverage1m} at start`);
    console.log(`sidecar: pid ${server.pid} at ${server.address}, workers ${String(server.startup.workers ?? '?')}`);
    console.log(`mix: ${MIX.join(', ')} (repeating); Scan 1 KB, StreamScan 4 x 256 B chunks, CheckAction`);
    if (info.loadAverage1m > info.cores * 0.5) console.log('WARNING: the machine is busy; latency and capacity figures are not representative');
    // Warm-up (JIT, worker pools, connections), not measured; then the capacity measurement.
    await measureCapacity(client, 3);
    const capacity = config.rate === undefined ? await measureCapacity(client, config.capacitySeconds) : undefined;
    const rate = config.rate ?? Math.max(1, Math.round(capacity! * config.load));
    if (capacity !== undefined) console.log(`capacity: ${capacity.toFixed(0)} calls/s (closed loop, concurrency 16, ${config.capacitySeconds} s); driving ${rate} calls/s (${Math.round(config.load * 100)}%)`);
    else console.log(`driving ${rate} calls/s (--rate)`);
    const rssStart = server.rssMiB();
    const seconds = config.minutes * 60;
    const windowSeconds = config.minutes >= 2 ? 60 : 15;
    console.log(`\n     t  calls/s  scan p50/p99  strm p50/p99  actn p50/p99  all p99  errors   shed  RSS MiB`);
    const windows = await drive(client, server, rate, seconds, windowSeconds, config.maxInFlight, printRow);
    const rssEnd = server.rssMiB();
    const first = windows[0]!;
    const last = windows.at(-1)!;
    const drift = { p99Pct: pct(last.p99, first.p99), rssPct: pct(rssEnd, rssStart) };
    const errors = windows.reduce((a, w) => a + w.errors, 0);
    const shed = windows.reduce((a, w) => a + w.shed, 0);
    const summary = {
      command: info.command,
      machine: info,
      loadAverageEnd: loadAverageNow(),
      sidecar: { pid: server.pid, workers: server.startup.workers, policyVersion: server.startup.policyVersion },
      mix: MIX,
      capacityPerSecond: capacity === undefined ? null : Math.round(capacity),
      ratePerSecond: rate,
      minutes: config.minutes,
      windowSeconds,
      rssStartMiB: Math.round(rssStart * 10) / 10,
      rssEndMiB: Math.round(rssEnd * 10) / 10,
      p99StartMs: first.p99,
      p99EndMs: last.p99,
      drift,
      targets: { p99Within20Pct: Math.abs(drift.p99Pct) <= 20, rssWithin10Pct: Math.abs(drift.rssPct) <= 10 },
      calls: windows.reduce((a, w) => a + w.calls, 0),
      errors,
      shed,
      windows,
    };
    const firstError = windows.find((w) => w.firstError)?.firstError;
    if (firstError) console.log(`first error: ${firstError}`);
    console.log(`\np99 ${fmt(first.p99)} -> ${fmt(last.p99)} ms (${drift.p99Pct}%), RSS ${rssStart.toFixed(1)} -> ${rssEnd.toFixed(1)} MiB (${drift.rssPct}%), ${errors} errors, ${shed} shed`);
    console.log(JSON.stringify(summary, null, 2));
    if (config.out) writeFileSync(config.out, JSON.stringify(summary, null, 2) + '\n');
  } finally {
    client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`soak failed: ${(err as Error).message}`);
  process.exit(1);
});
