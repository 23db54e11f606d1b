/**
 * Runs one peer guard on one task in a child process (peer-child.ts) and collects its
 * per-row predictions. A row that makes the child go quiet for `stallMs` is recorded as timed
 * out; the child is killed and restarted after it. The whole run stops at `totalMs`, leaving
 * the remaining rows unanswered. Nothing here can hang the harness.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedSpan } from '../metrics.js';
import type { PeerTask } from './peer-adapter.js';

/** One row's answer; `spans` in code points. */
export interface PeerRowResult {
  detected: boolean;
  score: number;
  ms: number;
  spans?: TypedSpan[];
}

export type PeerRowOutcome = PeerRowResult | { failure: 'timeout' | 'error' | 'not run' };

export interface PeerRun {
  peer: string;
  task: PeerTask;
  outcomes: PeerRowOutcome[];
  notes: string[];
  networkAttempts: number;
  restarts: number;
  /** Set when the child could not start or failed before answering anything. */
  fatal?: string;
}

export interface RunPeerOptions {
  peer: string;
  task: PeerTask;
  dataDir: string;
  rows: number;
  /** Silence that counts as a stalled row (default 20 s). */
  stallMs?: number;
  /** Budget for the whole task (default 240 s). */
  totalMs?: number;
  /** Restarts after stalls before giving up (default 10). */
  maxRestarts?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const CHILD = resolve(here, 'peer-child.ts');

interface ChildLine {
  i?: number;
  d?: number;
  s?: number;
  ms?: number;
  spans?: Array<[string, number, number]>;
  error?: string;
  done?: boolean;
  notes?: string[];
  networkAttempts?: number;
}

/** One child from row `from`; resolves with the index of the first row it did not answer. */
function runChild(
  options: Required<Pick<RunPeerOptions, 'peer' | 'task' | 'dataDir' | 'stallMs'>>,
  from: number,
  deadline: number,
  onLine: (line: ChildLine) => void,
): Promise<{ next: number; reason: 'done' | 'stalled' | 'deadline' | 'exited'; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, '--peer', options.peer, '--task', options.task, '--data', options.dataDir, '--from', String(from)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    let next = from;
    let stderr = '';
    let reason: 'done' | 'stalled' | 'deadline' | 'exited' = 'exited';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      const wait = Math.min(options.stallMs, Math.max(0, deadline - Date.now()));
      timer = setTimeout(() => {
        reason = Date.now() >= deadline ? 'deadline' : 'stalled';
        child.kill('SIGKILL');
      }, wait);
    };
    arm();
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: ChildLine;
      try {
        line = JSON.parse(text) as ChildLine;
      } catch {
        return; // a peer printing to stdout: ignore its chatter
      }
      if (line.done) reason = 'done';
      if (typeof line.i === 'number') next = line.i + 1;
      onLine(line);
      arm();
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolveRun({ next, reason, stderr: stderr.trim() });
    });
  });
}

export async function runPeer(options: RunPeerOptions): Promise<PeerRun> {
  const stallMs = options.stallMs ?? 20_000;
  const deadline = Date.now() + (options.totalMs ?? 240_000);
  const maxRestarts = options.maxRestarts ?? 10;
  const outcomes: PeerRowOutcome[] = Array.from({ length: options.rows }, () => ({ failure: 'not run' as const }));
  const run: PeerRun = { peer: options.peer, task: options.task, outcomes, notes: [], networkAttempts: 0, restarts: 0 };
  const onLine = (line: ChildLine): void => {
    if (line.done) {
      run.notes = line.notes ?? [];
      run.networkAttempts += line.networkAttempts ?? 0;
      return;
    }
    if (typeof line.i !== 'number' || line.i < 0 || line.i >= options.rows) return;
    if (line.error !== undefined) {
      outcomes[line.i] = { failure: 'error' };
      return;
    }
    const result: PeerRowResult = { detected: line.d === 1, score: Number(line.s ?? 0), ms: Number(line.ms ?? 0) };
    if (line.spans) result.spans = line.spans.map(([type, start, end]) => ({ type, start, end }));
    outcomes[line.i] = result;
  };

  let from = 0;
  for (;;) {
    const { next, reason, stderr } = await runChild({ ...options, stallMs }, from, deadline, onLine);
    if (reason === 'done' || reason === 'deadline') break;
    // The first child dying before any answer is a setup failure (import, usage), not a row's fault.
    if (reason === 'exited' && from === 0 && next === 0) {
      run.fatal = stderr.split('\n')[0] || 'child exited before answering';
      break;
    }
    if (next < options.rows) outcomes[next] = { failure: reason === 'stalled' ? 'timeout' : 'error' };
    from = next + 1;
    run.restarts++;
    if (from >= options.rows || run.restarts > maxRestarts) break;
  }
  return run;
}
