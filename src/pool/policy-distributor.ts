/**
 * Gets policy sets into every worker of a pool: publishes each set on a BroadcastChannel,
 * re-publishes to threads that start later (they say hello), and tracks which thread has
 * compiled which version so the pool can switch only once every live thread is ready.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { EngineError } from '../engine/engine-error.js';
import type { PolicySet } from '../policy/types.js';
import { rebuildError, type PolicyBroadcast, type SerializedError, type WorkerEvent } from './pool-messages.js';

/** The live threads of the pool, by threadId. */
export type LiveThreads = () => readonly number[];

/** Publishes policy sets to a pool's threads and tracks which thread compiled which version. */
export class PolicyDistributor {
  private readonly channel: BroadcastChannel;
  /** threadId → version → null (compiled) or the compile error. */
  private readonly installed = new Map<number, Map<string, SerializedError | null>>();
  /** Sets every thread must hold: the current one and one being installed. */
  private readonly wanted = new Map<string, PolicySet>();
  private readonly waiters = new Set<() => void>();
  private republishScheduled = false;
  private closed = false;

  constructor(
    channelName: string,
    private readonly liveThreads: LiveThreads,
  ) {
    this.channel = new BroadcastChannel(channelName);
    // The channel must not keep the process alive on its own.
    (this.channel as unknown as { unref?: () => void }).unref?.();
  }

  /** Feed every WorkerEvent the pool receives. */
  onWorkerEvent(event: WorkerEvent): void {
    if (event.type === 'bulwark-worker-hello') {
      this.scheduleRepublish();
      return;
    }
    let versions = this.installed.get(event.threadId);
    if (!versions) this.installed.set(event.threadId, (versions = new Map()));
    versions.set(event.version, event.error ?? null);
    this.notify();
  }

  /** Call when a thread exits: a wait may now be satisfied. */
  onThreadsChanged(): void {
    const live = new Set(this.liveThreads());
    for (const id of this.installed.keys()) if (!live.has(id)) this.installed.delete(id);
    this.notify();
  }

  /**
   * Publishes `set` and resolves once every live thread has compiled it; rejects with the
   * compile error (rebuilt: PolicyValidationError or EngineError) if a thread failed, or with
   * INTERNAL after `timeoutMs` or when the distributor is closed.
   */
  async install(set: PolicySet, timeoutMs: number): Promise<void> {
    this.wanted.set(set.version, set);
    if (this.closed) throw new EngineError('INTERNAL', 'scanner pool is closed');
    this.publish(set);
    try {
      await this.waitFor(set.version, timeoutMs);
    } catch (err) {
      this.wanted.delete(set.version);
      throw err;
    }
  }

  /** After a switch: only `current` is published to new threads from now on. */
  retainOnly(current: PolicySet): void {
    this.wanted.clear();
    this.wanted.set(current.version, current);
  }

  /** True while some live thread has not yet compiled every wanted set (it is busy compiling). */
  compiling(): boolean {
    return this.liveThreads().some((id) => {
      const versions = this.installed.get(id);
      for (const version of this.wanted.keys()) if (!versions?.has(version)) return true;
      return false;
    });
  }

  close(): void {
    this.closed = true;
    this.channel.close();
    this.wanted.clear();
    for (const wake of this.waiters) wake();
  }

  private publish(set: PolicySet): void {
    const message: PolicyBroadcast = { type: 'install-policy', policySet: set };
    this.channel.postMessage(message);
  }

  /** Several threads say hello at start; one publication per tick serves them all. */
  private scheduleRepublish(): void {
    if (this.republishScheduled) return;
    this.republishScheduled = true;
    setImmediate(() => {
      this.republishScheduled = false;
      if (this.closed) return;
      for (const set of this.wanted.values()) this.publish(set);
    });
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private waitFor(version: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.closed) return finish(new EngineError('INTERNAL', 'scanner pool closed while loading a policy set'));
        const threads = this.liveThreads();
        for (const id of threads) {
          const error = this.installed.get(id)?.get(version);
          if (error) return finish(rebuildError(error));
        }
        if (threads.every((id) => this.installed.get(id)?.has(version))) finish();
      };
      const timer = setTimeout(
        () => finish(new EngineError('INTERNAL', `scanner threads did not load policy set ${version} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}
