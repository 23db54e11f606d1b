/**
 * The scan worker: one per thread of the pool (see scan-thread.ts). Holds a compiled
 * {@link ScanEngine} per policy-set version (the current one and the previous one, so tasks
 * already in flight during a reload finish under the set they were sent with).
 *
 * Policy sets arrive on the pool's BroadcastChannel and are compiled once per change, never
 * per scan. A task for a version this thread has not compiled is answered `need-policy`; the
 * pool then resends it with the set attached (a thread started after the last broadcast).
 */
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { ScanEngine } from '../engine/scan-engine.js';
import type { PolicySet } from '../policy/types.js';
import {
  serializeError,
  type PolicyBroadcast,
  type ScanWorkerData,
  type SerializedError,
  type WorkerEvent,
  type WorkerReply,
  type WorkerTask,
} from './pool-messages.js';

/** Current + previous: enough for tasks in flight across one reload. */
const MAX_ENGINES = 2;

const engines = new Map<string, ScanEngine>();

function post(event: WorkerEvent): void {
  parentPort?.postMessage(event);
}

/** Text for the warm-up scans: touches the common detector paths without matching much. */
const WARM_UP_TEXT = 'Warm-up scan: please summarise the attached notes for the team by Friday.';

/**
 * Builds every policy's detectors, then runs one throwaway scan per direction: some
 * detectors finish compiling lazily on first use (module-level catalogues, JIT), and that
 * first scan can take long enough to hit the policy's time budget. Better here than on a
 * caller's request.
 */
function warmUp(engine: ScanEngine, set: PolicySet): void {
  (engine as { warmUp?: () => void }).warmUp?.();
  const [tenantId, policies] = Object.entries(set.tenants)[0] ?? [];
  const policyId = policies ? Object.keys(policies)[0] : undefined;
  if (tenantId === undefined || policyId === undefined) return;
  for (const direction of ['INPUT', 'OUTPUT'] as const) {
    engine.scan({ tenantId, direction, content: WARM_UP_TEXT, policyId, deadline: 0 });
  }
}

/** Compiles a set (or finds it compiled). Throws what the engine throws. */
function install(set: PolicySet): ScanEngine {
  const existing = engines.get(set.version);
  if (existing) return existing;
  const engine = new ScanEngine(set);
  warmUp(engine, set);
  engines.set(set.version, engine);
  for (const version of engines.keys()) {
    if (engines.size <= MAX_ENGINES) break;
    engines.delete(version); // Map iterates in insertion order: the oldest goes first.
  }
  return engine;
}

const data = workerData as ScanWorkerData;
const channel = new BroadcastChannel(data.policyChannel);
channel.onmessage = (event: unknown) => {
  const message = (event as { data: PolicyBroadcast }).data;
  if (message?.type !== 'install-policy') return;
  const version = message.policySet.version;
  let error: SerializedError | undefined;
  try {
    install(message.policySet);
  } catch (err) {
    error = serializeError(err);
  }
  post(error ? { type: 'bulwark-policy-installed', threadId, version, error } : { type: 'bulwark-policy-installed', threadId, version });
};

/**
 * TEST SEAM (inert unless the environment names a marker): content equal to
 * `<marker>:exit` ends this thread with process.exit; `<marker>:throw` leaves the task pending
 * and throws an uncaught error; `<marker>:hang` spins forever. Lets tests prove the pool
 * survives a crashed or hung worker.
 */
const crashMarker = process.env.BULWARK_TEST_WORKER_CRASH_MARKER;

function crashIfAsked(content: string): Promise<never> | undefined {
  if (!crashMarker) return undefined;
  if (content === `${crashMarker}:exit`) process.exit(70);
  if (content === `${crashMarker}:hang`) for (;;);
  if (content === `${crashMarker}:throw`) {
    setImmediate(() => {
      throw new Error('worker crash requested by a test');
    });
    return new Promise<never>(() => undefined);
  }
  return undefined;
}

/** Runs one task; a crash-seam task returns a promise that never settles. */
export default function runScanTask(message: WorkerTask): WorkerReply<unknown> | Promise<never> {
  const crash = crashIfAsked(message.task.content);
  if (crash) return crash;
  try {
    const engine = engines.get(message.policyVersion) ?? (message.policySet ? install(message.policySet) : undefined);
    if (!engine) return { status: 'need-policy' };
    const result = message.kind === 'scan' ? engine.scan(message.task) : engine.scanWindow(message.task);
    return { status: 'ok', result };
  } catch (err) {
    return { status: 'error', error: serializeError(err) };
  }
}

// Tasks arrive as { type: 'bulwark-task', id, task } and are answered with the same id.
parentPort?.on('message', (message: { type?: string; id: number; task: WorkerTask }) => {
  if (message?.type !== 'bulwark-task') return;
  const reply = runScanTask(message.task);
  if (reply instanceof Promise) return;
  parentPort?.postMessage({ type: 'bulwark-reply', id: message.id, reply });
});

post({ type: 'bulwark-worker-hello', threadId });
