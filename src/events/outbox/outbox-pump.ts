/**
 * The delivery loop of an outbox: read the oldest batch, hand it to `send`, acknowledge it
 * when `send` resolves; when `send` throws, count a failed attempt and retry the same batch
 * after a full-jitter exponential backoff. It wakes on appends, so an idle outbox costs
 * nothing. `send` decides what a permanent failure is: to skip a message for good it
 * resolves (and logs) instead of throwing.
 *
 *   const pump = startOutboxPump(outbox, { send: async (batch) => { ... } , logger });
 *   await pump.stop();   // no more retries; waits (bounded) for the batch in flight
 */
import type { Logger } from '../../telemetry/logger.js';
import type { Outbox, PendingMessage } from './outbox.js';

export interface OutboxPumpOptions {
  /** Delivers a batch (in outbox order); resolves once the destination acknowledged all of it. */
  send(batch: PendingMessage[]): Promise<void>;
  /** Messages per `send` (default 500). */
  batchSize?: number;
  /** Backoff after a failure: base and cap (defaults 200 ms and 30 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  logger?: Logger;
}

export interface OutboxPump {
  /** Retries at once (e.g. the destination is known to be back). */
  nudge(): void;
  /**
   * Stops retrying and waits (at most `waitMs`, default 5 s) for the batch in flight: a
   * destination that never answers must not hold up a shutdown. A late answer is still acked.
   */
  stop(waitMs?: number): Promise<void>;
}

function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}

export function startOutboxPump(outbox: Outbox, options: OutboxPumpOptions): OutboxPump {
  const batchSize = options.batchSize ?? 500;
  const baseMs = options.backoffBaseMs ?? 200;
  const maxMs = options.backoffMaxMs ?? 30_000;
  let stopped = false;
  let attempt = 0;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let dirty = true;

  const sleep = (ms: number | undefined): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        wake = undefined;
        clearTimeout(timer);
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(wake, ms);
    });

  outbox.onAppended(() => {
    dirty = true;
    if (attempt === 0) wake?.();
  });

  const deliverOnce = async (): Promise<'idle' | 'more' | 'failed'> => {
    dirty = false;
    const batch = await outbox.read(batchSize);
    if (batch.length === 0) return 'idle';
    try {
      await options.send(batch);
    } catch (err) {
      outbox.recordFailure();
      options.logger?.warn({ err: (err as Error)?.message, attempt, batch: batch.length, depth: outbox.stats().depth }, 'outbox delivery failed; will retry');
      return 'failed';
    }
    await outbox.ack(batch);
    return 'more';
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      let outcome: 'idle' | 'more' | 'failed';
      try {
        outcome = await deliverOnce();
      } catch (err) {
        // The outbox's disk failed: same treatment as a delivery failure.
        options.logger?.error({ err: (err as Error)?.message }, 'outbox read or ack failed');
        outcome = 'failed';
      }
      if (outcome === 'failed') {
        // After stop(), no retry timer may keep the process alive.
        if (!stopped) await sleep(backoffDelay(attempt++, baseMs, maxMs));
      }
      else {
        attempt = 0;
        if (outcome === 'idle' && !dirty && !stopped) await sleep(undefined);
      }
    }
  };
  const running = loop();

  return {
    nudge() {
      attempt = 0;
      wake?.();
    },
    async stop(waitMs = 5_000) {
      stopped = true;
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    },
  };
}
