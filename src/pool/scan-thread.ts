/**
 * One scan worker thread and the tasks it holds, over worker_threads directly.
 *
 * Why not piscina: measured here (1 KB scans, concurrency 16) piscina's per-task bookkeeping
 * cost ~84 µs of main-thread time per scan, while a plain postMessage round trip with the same
 * payload costs ~5 µs. The pool needs little of what piscina adds (it owns its queue, its
 * watchdog and its policy broadcast), so each thread is a Worker plus a map of tasks in flight.
 *
 * A thread that dies (process.exit, an uncaught error, terminated by the watchdog) rejects
 * every task it held at once with {@link ThreadGoneError}; the pool starts a replacement.
 */
import { Worker } from 'node:worker_threads';
import { isWorkerEvent, type ScanWorkerData, type WorkerEvent, type WorkerReply, type WorkerTask } from './pool-messages.js';
import type { WorkerEntry } from './worker-file.js';

/** Why a thread's tasks failed: it exited, threw outside a task, or was stopped as hung. */
export class ThreadGoneError extends Error {
  constructor(readonly reason: 'exited' | 'crashed' | 'hung' | 'stopped') {
    super(`scanner thread ${reason}`);
    this.name = 'ThreadGoneError';
  }
}

interface InFlight {
  resolve(reply: WorkerReply<unknown>): void;
  reject(err: Error): void;
  /** performance.now() when sent (or when the thread became ready): the watchdog's clock. */
  startedAt: number;
}

/** What the pool hears from a thread. */
export interface ScanThreadListener {
  /** Hello and policy-installed events, for the policy distributor. */
  onWorkerEvent(event: WorkerEvent): void;
  /** The thread is gone and its tasks were rejected; called once. */
  onThreadGone(thread: ScanThread, reason: ThreadGoneError['reason'], cause: unknown): void;
}

/** A reply on the thread's port, matched to its task by id. */
interface ReplyMessage {
  type: 'bulwark-reply';
  id: number;
  reply: WorkerReply<unknown>;
}

function isReply(value: unknown): value is ReplyMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'bulwark-reply';
}

/** A worker thread running scan tasks; at most `load` of them are outstanding. */
export class ScanThread {
  readonly threadId: number;
  private readonly worker: Worker;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 0;
  private gone: ThreadGoneError['reason'] | undefined;
  private reported = false;

  constructor(
    entry: WorkerEntry,
    workerData: ScanWorkerData,
    private readonly listener: ScanThreadListener,
    /** V8's young generation cap for the thread (MB); 0 leaves V8's default. */
    youngGenerationMb = 0,
  ) {
    this.worker = new Worker(new URL(entry.filename), {
      workerData,
      ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
      ...(youngGenerationMb > 0 ? { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } } : {}),
    });
    this.threadId = this.worker.threadId;
    this.worker.on('message', (message: unknown) => {
      if (isReply(message)) this.settle(message);
      else if (isWorkerEvent(message)) {
        // A thread that just became ready: tasks that waited for it to boot were not hung.
        if (message.type === 'bulwark-worker-hello') this.restartClocks(performance.now());
        listener.onWorkerEvent(message);
      }
    });
    this.worker.on('error', (err) => this.fail('crashed', err));
    this.worker.on('exit', (code) => this.fail('exited', code));
    // An idle thread must not keep the process alive (as with piscina); a busy one does.
    // (After the listeners: adding a 'message' listener refs the thread's port again.)
    this.worker.unref();
  }

  /** Tasks sent and not yet answered. */
  get load(): number {
    return this.inFlight.size;
  }

  get alive(): boolean {
    return this.gone === undefined;
  }

  /** Sends one task; resolves with the thread's reply, rejects with ThreadGoneError. */
  run(task: WorkerTask): Promise<WorkerReply<unknown>> {
    if (this.gone !== undefined) return Promise.reject(new ThreadGoneError(this.gone));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.inFlight.size === 0) this.worker.ref();
      this.inFlight.set(id, { resolve, reject, startedAt: performance.now() });
      this.worker.postMessage({ type: 'bulwark-task', id, task });
    });
  }

  /** The start time of the longest-waiting task, or Infinity when idle. */
  oldestStart(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const t of this.inFlight.values()) if (t.startedAt < oldest) oldest = t.startedAt;
    return oldest;
  }

  restartClocks(now: number): void {
    for (const t of this.inFlight.values()) t.startedAt = now;
  }

  /**
   * Terminates the thread; its tasks fail with `reason` ('hung' for the watchdog). The pool
   * hears of it now, not at the exit event, so a replacement takes new tasks at once.
   */
  stop(reason: 'hung' | 'stopped'): Promise<number> {
    this.fail(reason, undefined);
    return this.worker.terminate();
  }

  private settle(message: ReplyMessage): void {
    const task = this.inFlight.get(message.id);
    if (!task) return;
    this.inFlight.delete(message.id);
    if (this.inFlight.size === 0) this.worker.unref();
    task.resolve(message.reply);
  }

  private fail(reason: ThreadGoneError['reason'], cause: unknown): void {
    this.gone ??= reason;
    this.rejectAll(new ThreadGoneError(this.gone));
    // 'error' is followed by 'exit': the pool hears about the thread once, at the first.
    if (this.reported) return;
    this.reported = true;
    this.listener.onThreadGone(this, this.gone, cause);
  }

  private rejectAll(err: ThreadGoneError): void {
    const tasks = [...this.inFlight.values()];
    this.inFlight.clear();
    this.worker.unref();
    for (const t of tasks) t.reject(err);
  }
}
