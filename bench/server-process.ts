/**
 * The sidecar under test, in its own process (so the load generator and the server do
 * not share an event loop): started with `bulwark sidecar --listen 127.0.0.1:0`, its
 * address read from its startup log line, its memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  readonly pid: number;
  /** host:port the sidecar listens on. */
  readonly address: string;
  /** The startup log line, parsed (address, workers, policy version). */
  readonly startup: Record<string, unknown>;
  /** Resident set size in MiB (VmRSS from /proc/<pid>/status; all threads). */
  rssMiB(): number;
  /** SIGTERM and wait; resolves to the exit code and how long the drain took. */
  stop(): Promise<{ code: number | null; signal: string | null; ms: number }>;
  /** SIGKILL (no drain, no cleanup: a crash) and wait for the exit. */
  kill(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** Reads VmRSS of a process in MiB (Linux only; NaN elsewhere). */
export function readRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts `node <cliPath> sidecar --listen 127.0.0.1:0 …extraArgs` (with `env` added to this
 * process's environment) and resolves once the startup line (a pino JSON line with `address`
 * and `workers` fields) appears on its stdout.
 */
export function startServerProcess(
  cliPath: string,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
  startupTimeoutMs = STARTUP_TIMEOUT_MS,
): Promise<ServerProcess> {
  const argv = [...nodeArgs, cliPath, 'sidecar', '--listen', '127.0.0.1:0', ...extraArgs];
  const child: ChildProcess = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BULWARK_LOG_LEVEL: process.env.BULWARK_LOG_LEVEL ?? 'info', ...env },
  });
  const stderrTail: string[] = [];
  child.stderr?.on('data', (d: Buffer) => {
    stderrTail.push(d.toString());
    if (stderrTail.length > 20) stderrTail.shift();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sidecar did not report its address within ${startupTimeoutMs} ms`));
    }, startupTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sidecar exited during startup (code ${code}, signal ${signal}): ${stderrTail.join('').trim()}`));
    });
    // Keep reading stdout for the whole run: a full pipe would stall the server.
    const lines = createInterface({ input: child.stdout! });
    let started = false;
    lines.on('line', (line) => {
      if (started) return;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      // The sidecar's own line (address, workers, policy version), not another listener's
      // (the metrics endpoint logs an address too).
      if (typeof entry.address !== 'string' || entry.workers === undefined) return;
      started = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const pid = child.pid as number;
      resolve({
        pid,
        address: entry.address,
        startup: entry,
        rssMiB: () => readRssMiB(pid),
        stop: () =>
          new Promise((done) => {
            const t0 = performance.now();
            if (child.exitCode !== null) {
              done({ code: child.exitCode, signal: null, ms: 0 });
              return;
            }
            child.once('exit', (code, signal) => done({ code, signal, ms: performance.now() - t0 }));
            child.kill('SIGTERM');
          }),
        kill: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}
