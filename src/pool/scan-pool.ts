/**
 * The scanner pool: worker threads (scan-thread.ts), each holding a compiled engine, behind a
 * bounded FIFO the pool owns.
 *
 * A task is handed to a thread only when one has room (`tasksPerWorker`), so an aborted task
 * is either still ours (removed from the queue at once) or already running (the caller is
 * answered at once; the engine stops at `task.deadline` by itself and the thread lives on,
 * keeping its compiled detectors).
 *
 * A thread that dies (process.exit, an uncaught error, or stopped by the hung-task watchdog)
 * rejects its in-flight tasks with INTERNAL and is replaced at once; the replacement says
 * hello and is sent the current policy set.
 */
import { randomUUID } from 'node:crypto';
import { EngineError } from '../engine/engine-error.js';
import type { ScanResult, ScanTask, StreamWindowResult, StreamWindowTask } from '../engine/types.js';
import type { PolicySet } from '../policy/types.js';
import type { Logger } from '../telemetry/logger.js';
import { defaultWorkerCount } from './default-worker-count.js';
import { abortedTaskError, PoolError } from './pool-errors.js';
import { rebuildError, type ScanWorkerData, type WorkerReply, type WorkerTask } from './pool-messages.js';
import { PolicyDistributor } from './policy-distributor.js';
import { ScanThread, ThreadGoneError, type ScanThreadListener } from './scan-thread.js';
import { TaskQueue, type QueueHandle } from './task-queue.js';
import { scanWorkerEntry, type WorkerEntry } from './worker-file.js';

/** What callers pass to {@link createScanPool}; defaults are applied once, in resolveOptions. */
export interface ScanPoolOptions {
  /** Worker threads; default {@link defaultWorkerCount}. */
  workers?: number;
  /** Tasks that may wait for a thread; beyond it `scan` rejects RESOURCE_EXHAUSTED. Default 256 per worker. */
  maxQueue?: number;
  /** The policy set every thread compiles before the pool is returned. */
  policySet: PolicySet;
  /**
   * Tasks handed to one thread at a time (default 2): the second waits in the thread's
   * inbox, so the thread is not idle while a result travels back.
   */
  tasksPerWorker?: number;
  /** Time allowed for every thread to compile a policy set (default 60 s). */
  policyLoadTimeoutMs?: number;
  /**
   * A task running longer than this is taken as a hung thread (a detector bug: the engine
   * itself stops between detectors at the time budget): the thread is terminated and replaced,
   * its tasks (the hung one and any waiting in that thread's inbox) fail with INTERNAL.
   * Default 30 s; 0 disables the watchdog.
   */
  hungTaskMs?: number;
  /**
   * Cap on each thread's V8 young generation, in MB (0: V8's default, which lets it grow to
   * 16-32 MB per isolate under load). Scans allocate short-lived strings and arrays only, so a
   * small nursery costs no measurable CPU and keeps RSS down. Default 8.
   */
  youngGenerationMb?: number;
  logger?: Logger;
}


/** A snapshot: threads alive, tasks waiting in our queue, tasks on threads, tasks finished. */
export interface ScanPoolStats {
  workers: number;
  queued: number;
  running: number;
  completed: number;
}

/** Scans on worker threads. Errors: EngineError (engine), PoolError (queue full, deadline, closed). */
export interface ScanPool {
  scan(task: ScanTask, signal?: AbortSignal): Promise<ScanResult>;
  scanWindow(task: StreamWindowTask, signal?: AbortSignal): Promise<StreamWindowResult>;
  /** Resolves once every thread has compiled `set` (then new tasks use it); rejects, keeping the old set, if it does not compile. */
  setPolicySet(set: PolicySet): Promise<void>;
  readonly policySet: PolicySet;
  stats(): ScanPoolStats;
  /** Rejects queued tasks (UNAVAILABLE), waits up to `graceMs` (default 10 s) for running ones, stops the threads. */
  close(options?: { graceMs?: number }): Promise<void>;
}

interface ResolvedOptions {
  workers: number;
  maxQueue: number;
  tasksPerWorker: number;
  policyLoadTimeoutMs: number;
  hungTaskMs: number;
  youngGenerationMb: number;
  logger: Logger | undefined;
}

function resolveOptions(options: ScanPoolOptions): ResolvedOptions {
  const workers = options.workers ?? defaultWorkerCount();
  const maxQueue = options.maxQueue ?? workers * 256;
  const tasksPerWorker = options.tasksPerWorker ?? 2;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError('workers must be a positive integer');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be a non-negative integer');
  if (!Number.isInteger(tasksPerWorker) || tasksPerWorker < 1) throw new RangeError('tasksPerWorker must be a positive integer');
  const hungTaskMs = options.hungTaskMs ?? 30_000;
  if (!(hungTaskMs >= 0)) throw new RangeError('hungTaskMs must be >= 0');
  const youngGenerationMb = options.youngGenerationMb ?? 8;
  if (!(youngGenerationMb >= 0)) throw new RangeError('youngGenerationMb must be >= 0');
  const policyLoadTimeoutMs = options.policyLoadTimeoutMs ?? 60_000;
  return { workers, maxQueue, tasksPerWorker, policyLoadTimeoutMs, hungTaskMs, youngGenerationMb, logger: options.logger };
}

type TaskBody = { kind: 'scan'; task: ScanTask } | { kind: 'window'; task: StreamWindowTask };

interface PendingTask {
  body: TaskBody;
  resolve(value: unknown): void;
  reject(err: Error): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  queued: QueueHandle | undefined;
  settled: boolean;
}

class WorkerScanPool implements ScanPool {
  private threads: ScanThread[] = [];
  private readonly entry: WorkerEntry;
  private readonly workerData: ScanWorkerData;
  private readonly listener: ScanThreadListener;
  private readonly distributor: PolicyDistributor;
  private readonly queue = new TaskQueue<PendingTask>();
  private readonly capacity: number;
  private current: PolicySet;
  private running = 0;
  private completed = 0;
  private closing: Promise<void> | undefined;
  private policyChange: Promise<void> = Promise.resolve();
  private readonly idleWaiters = new Set<() => void>();
  private readonly watchdog: NodeJS.Timeout | undefined;

  constructor(
    initial: PolicySet,
    private readonly options: ResolvedOptions,
  ) {
    this.current = initial;
    this.capacity = options.workers * options.tasksPerWorker;
    const policyChannel = `bulwark-policy-${randomUUID()}`;
    this.entry = scanWorkerEntry();
    this.workerData = { policyChannel };
    this.distributor = new PolicyDistributor(policyChannel, () => this.threads.map((t) => t.threadId));
    this.listener = {
      onWorkerEvent: (event) => this.distributor.onWorkerEvent(event),
      onThreadGone: (thread, reason, cause) => this.replace(thread, reason, cause),
    };
    for (let i = 0; i < options.workers; i++) this.threads.push(this.spawn());
    if (options.hungTaskMs > 0) {
      // One sweeping timer, not one timer per task: at thousands of scans per second,
      // per-task timers would pile up by the hundred thousand.
      this.watchdog = setInterval(() => this.stopHungTasks(), Math.max(10, Math.min(1000, options.hungTaskMs / 4)));
      this.watchdog.unref();
    }
  }

  private spawn(): ScanThread {
    return new ScanThread(this.entry, this.workerData, this.listener, this.options.youngGenerationMb);
  }

  /** A thread died: its tasks were already rejected; a replacement takes its place (unless closing). */
  private replace(gone: ScanThread, reason: ThreadGoneError['reason'], cause: unknown): void {
    if (!this.closing && reason === 'crashed') {
      this.options.logger?.error({ err: errorName(cause) }, 'scanner thread failed');
    }
    const rest = this.threads.filter((t) => t !== gone);
    this.threads = this.closing ? rest : [...rest, this.spawn()];
    this.distributor.onThreadsChanged();
  }

  private stopHungTasks(): void {
    const now = performance.now();
    if (this.distributor.compiling()) {
      // A thread compiling a policy set (a new thread, a reload) is slow, not hung; tasks wait on it.
      for (const thread of this.threads) thread.restartClocks(now);
      return;
    }
    for (const thread of this.threads) {
      if (now - thread.oldestStart() > this.options.hungTaskMs) void thread.stop('hung');
    }
  }

  /** Resolves once every thread has compiled the initial set. */
  async start(): Promise<void> {
    await this.distributor.install(this.current, this.options.policyLoadTimeoutMs);
    this.distributor.retainOnly(this.current);
  }

  get policySet(): PolicySet {
    return this.current;
  }

  scan(task: ScanTask, signal?: AbortSignal): Promise<ScanResult> {
    return this.submit({ kind: 'scan', task }, signal) as Promise<ScanResult>;
  }

  scanWindow(task: StreamWindowTask, signal?: AbortSignal): Promise<StreamWindowResult> {
    return this.submit({ kind: 'window', task }, signal) as Promise<StreamWindowResult>;
  }

  setPolicySet(set: PolicySet): Promise<void> {
    // One change at a time, in call order.
    const change = this.policyChange.then(async () => {
      if (this.closing) throw new PoolError('UNAVAILABLE', 'scanner pool is closed');
      if (set.version === this.current.version) return;
      await this.distributor.install(set, this.options.policyLoadTimeoutMs);
      this.current = set;
      this.distributor.retainOnly(set);
    });
    this.policyChange = change.catch(() => undefined);
    return change;
  }

  stats(): ScanPoolStats {
    return { workers: this.threads.length, queued: this.queue.size, running: this.running, completed: this.completed };
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? 10_000);
    return this.closing;
  }

  private submit(body: TaskBody, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.closing) return Promise.reject(new PoolError('UNAVAILABLE', 'scanner pool is closed'));
    if (signal?.aborted) return Promise.reject(abortedTaskError(signal));
    if (this.running >= this.capacity && this.queue.size >= this.options.maxQueue) {
      return Promise.reject(new PoolError('RESOURCE_EXHAUSTED', `scan queue is full (${this.options.maxQueue} waiting)`));
    }
    return new Promise((resolve, reject) => {
      const pending: PendingTask = { body, resolve, reject, signal, onAbort: undefined, queued: undefined, settled: false };
      if (signal) {
        pending.onAbort = () => {
          pending.queued?.remove();
          this.settle(pending, abortedTaskError(signal));
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      if (this.running < this.capacity) void this.run(pending);
      else pending.queued = this.queue.push(pending);
    });
  }

  private settle(pending: PendingTask, err: Error | undefined, value?: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (err) pending.reject(err);
    else pending.resolve(value);
  }

  private async run(pending: PendingTask): Promise<void> {
    this.running++;
    pending.queued = undefined;
    try {
      const value = await this.execute(pending.body);
      this.settle(pending, undefined, value);
    } catch (err) {
      this.settle(pending, err as Error);
    } finally {
      this.running--;
      this.completed++;
      this.pump();
    }
  }

  /** Runs one task on some thread; resends it with the set attached if that thread lacks it. */
  private async execute(body: TaskBody): Promise<unknown> {
    const set = this.current;
    let reply = await this.runOnThread({ ...body, policyVersion: set.version } as WorkerTask);
    if (reply.status === 'need-policy') {
      reply = await this.runOnThread({ ...body, policyVersion: set.version, policySet: set } as WorkerTask);
    }
    if (reply.status === 'ok') return reply.result;
    if (reply.status === 'error') throw rebuildError(reply.error);
    throw new EngineError('INTERNAL', 'scanner thread could not load the policy set');
  }

  private async runOnThread(message: WorkerTask): Promise<WorkerReply<unknown>> {
    try {
      return await this.leastLoadedThread().run(message);
    } catch (err) {
      // The thread died under the task (exit, uncaught error), hung, or the pool is being closed.
      if (this.closing) throw new PoolError('UNAVAILABLE', 'scanner pool is closed');
      if (err instanceof ThreadGoneError && err.reason === 'hung') {
        this.options.logger?.error({ hungTaskMs: this.options.hungTaskMs }, 'scan ran past the hung-task limit; thread replaced');
      } else {
        this.options.logger?.error({ err: errorName(err) }, 'scanner thread failed during a task');
      }
      throw new EngineError('INTERNAL', 'scanner thread failed');
    }
  }

  /** The live thread with the fewest tasks (ties: the first), so work spreads over every thread. */
  private leastLoadedThread(): ScanThread {
    let best: ScanThread | undefined;
    for (const thread of this.threads) {
      if (thread.alive && (best === undefined || thread.load < best.load)) best = thread;
    }
    // Replacements are started synchronously, so a live thread exists unless the pool is closing.
    if (best === undefined) throw new PoolError('UNAVAILABLE', 'scanner pool has no threads');
    return best;
  }

  private pump(): void {
    while (this.running < this.capacity) {
      const next = this.queue.shift();
      if (!next) break;
      if (next.settled) continue;
      // The caller's deadline passed while it waited (its signal may not have fired yet).
      const deadline = next.body.task.deadline;
      if (deadline > 0 && Date.now() >= deadline) {
        this.settle(next, new PoolError('DEADLINE_EXCEEDED', 'deadline exceeded before the scan started'));
        continue;
      }
      void this.run(next);
    }
    if (this.running === 0) for (const wake of [...this.idleWaiters]) wake();
  }

  private async shutdown(graceMs: number): Promise<void> {
    for (const pending of this.queue.drain()) this.settle(pending, new PoolError('UNAVAILABLE', 'scanner pool is closed'));
    if (this.running > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, graceMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
    if (this.watchdog) clearInterval(this.watchdog);
    this.distributor.close();
    await Promise.all(this.threads.map((t) => t.stop('stopped')));
  }
}

/** Error class name only: messages from a thread may quote content. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/** Starts the threads; resolves once every one has compiled `options.policySet`. */
export async function createScanPool(options: ScanPoolOptions): Promise<ScanPool> {
  const pool = new WorkerScanPool(options.policySet, resolveOptions(options));
  try {
    await pool.start();
  } catch (err) {
    await pool.close({ graceMs: 0 });
    throw err;
  }
  return pool;
}
