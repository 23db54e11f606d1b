/**
 * Child process that runs ONE peer guard on ONE task's rows and writes one JSON line per row
 * to stdout: {"i": row index, "d": 0|1, "s": score, "ms": time, "spans"?: [[type, start, end]]}
 * (spans in code points), or {"i", "error": name}; then {"done": true, "notes": [...],
 * "networkAttempts": n}. Never writes text from the data.
 *
 *   node --import tsx bench/eval/peers/peer-child.ts --peer NAME --task TASK --data DIR [--from N]
 *
 * A separate process because a peer may block its thread (a backtracking regex), crash at
 * import (see hai-guardrails.ts) or try the network: the parent (run-peer.ts) watches progress,
 * kills a stalled child and restarts it after the row that stalled. The network is refused
 * here before the peer is loaded, and every attempt is counted.
 */
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CodePointIndex } from '../../../src/engine/code-point-offsets.js';
import { DATA_FILES, readBinaryRows, readJsonl } from '../datasets.js';
import { PEERS, type PeerTask } from './peer-adapter.js';

let networkAttempts = 0;

function refuseNetwork(): void {
  const refused = (): Error => new Error('network disabled during evaluation');
  net.Socket.prototype.connect = function (this: net.Socket): net.Socket {
    networkAttempts++;
    process.nextTick(() => this.destroy(refused()));
    return this;
  } as typeof net.Socket.prototype.connect;
  globalThis.fetch = async () => {
    networkAttempts++;
    throw refused();
  };
}

/**
 * Writes one line and waits until it has left the process: a pipe to the parent is
 * asynchronous, and the parent's stall watchdog must see row i answered before row i+1 starts
 * (otherwise a row that blocks the thread would be blamed on an earlier one).
 */
function write(value: unknown): Promise<void> {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(value) + '\n', () => resolve()));
}

function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

/** Texts of a task, in file order (the parent reads the same file the same way). */
function taskTexts(dataDir: string, task: PeerTask): string[] {
  const path = join(dataDir, DATA_FILES[task]);
  return task === 'pii' ? readJsonl(path).map(({ record }) => String(record.text)) : readBinaryRows(path).map((r) => r.text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { peer: { type: 'string' }, task: { type: 'string' }, data: { type: 'string' }, from: { type: 'string' } },
    strict: true,
  });
  const load = PEERS[values.peer ?? '']?.load;
  const task = values.task as PeerTask;
  if (!load || !values.data) throw new Error('usage: --peer NAME --task TASK --data DIR [--from N]');
  refuseNetwork();
  const adapter = await (await load()).createAdapter();
  const check = adapter.tasks[task];
  if (!check) throw new Error(`peer ${values.peer} does not offer ${task}`);
  const ranker = adapter.rankers?.[task];
  const texts = taskTexts(values.data, task);
  for (let i = Number(values.from ?? 0); i < texts.length; i++) {
    const text = texts[i]!;
    try {
      const t0 = performance.now();
      const p = await check(text);
      const ms = performance.now() - t0;
      const score = ranker ? await ranker(text) : p.score;
      const line: Record<string, unknown> = { i, d: p.detected ? 1 : 0, s: score, ms };
      if (p.spans) {
        const index = new CodePointIndex(text);
        line.spans = p.spans.map((s) => [s.type, index.startOf(s.start), index.endOf(s.end)]);
      }
      await write(line);
    } catch (err) {
      await write({ i, error: (err as Error)?.name ?? typeof err });
    }
  }
  await write({ done: true, notes: adapter.notes, networkAttempts });
}

// Exit explicitly: a peer may leave threads or timers behind (hai-guardrails' piscina pools).
main().then(
  () => exitAfterFlush(0),
  (err: unknown) => {
    process.stderr.write(`peer child failed: ${(err as Error)?.message ?? String(err)}\n`, () => process.exit(1));
  },
);
