/**
 * The delivery loop of one destination over its own outbox directory, so a slow or broken
 * receiver never holds up another. In order: wait for an alert → take a rate-limit token →
 * POST (retrying) → acknowledge.
 *
 * Rate limit: a token bucket per destination. While tokens last each alert is its own
 * message; when the bucket is empty the loop waits for the next token and then sends
 * everything that piled up meanwhile (up to maxBatch) as ONE summary message. A storm thus
 * becomes `burst` alerts plus one summary per refill, and no alert is dropped: the summary
 * lists every event id (generic JSON carries every event).
 *
 * Retries: network errors, timeouts, 408, 429 and 5xx back off exponentially with full jitter
 * (Retry-After wins, capped at retry.maxMs) and retry the same message until it is delivered
 * or its oldest alert is older than retry.maxAgeMs (dropped, counted, logged). Other statuses
 * (4xx, 3xx: redirects are not followed) are rejections: counted, logged without content,
 * acknowledged. A stop in the middle leaves the message in the outbox: it is sent again
 * after a restart (at-least-once; receivers de-duplicate on event id / delivery id).
 */
import type { Outbox, PendingMessage } from '../outbox/outbox.js';
import type { Logger } from '../../telemetry/logger.js';
import type { AlertDestination } from './alert-destination.js';
import { ALERT_FORMATTERS } from './alert-formats.js';
import { decodeAlertItem } from './alert-item-codec.js';
import { alertMessage, type AlertItem, type AlertMessage } from './alert-message.js';
import { postAlert } from './post-alert.js';
import { retryDelayMs, type AttemptOutcome } from './retry-schedule.js';
import { TokenBucket } from './token-bucket.js';

/** Counters of one destination (alerts, except `messages` and `retries`). */
export interface DestinationStats {
  /** Alerts the receiver accepted (2xx). */
  delivered: number;
  /** HTTP requests that succeeded (a summary is one). */
  messages: number;
  /** Alerts that went out inside a summary. */
  coalesced: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** Alerts refused with a non-retryable status. */
  rejected: number;
  /** Alerts dropped after retry.maxAgeMs. */
  expired: number;
  /** Outbox entries that did not decode (skipped). */
  undecodable: number;
}

export interface DelivererOptions {
  destination: AlertDestination;
  outbox: Outbox;
  logger: Logger;
  /** Injected by tests; default Math.random. */
  random?: () => number;
}

export class DestinationDeliverer {
  readonly counts: DestinationStats = { delivered: 0, messages: 0, coalesced: 0, retries: 0, rejected: 0, expired: 0, undecodable: 0 };
  private readonly bucket: TokenBucket;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private appended = false;
  /** Set while waiting for work: only then does an append wake the loop (never a backoff). */
  private idle = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: DelivererOptions) {
    this.bucket = new TokenBucket(options.destination.rateLimit);
    options.outbox.onAppended(() => {
      this.appended = true;
      if (this.idle) this.wake?.();
    });
  }

  start(): void {
    this.running ??= this.loop().catch((err: unknown) => {
      this.options.logger.error({ destination: this.options.destination.name, err: (err as Error)?.message }, 'alert delivery loop stopped');
    });
  }

  /** Stops waiting and retrying; a message in flight is abandoned (stays in the outbox). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Resolves after `ms`, on stop, or (ms undefined) on the next append. */
  private sleep(ms: number | undefined): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    const { outbox, destination } = this.options;
    while (!this.stopped) {
      this.appended = false;
      const head = await outbox.read(1);
      if (head.length === 0) {
        if (!this.appended) {
          this.idle = true;
          await this.sleep(undefined);
          this.idle = false;
        }
        continue;
      }
      let throttled = false;
      while (!this.bucket.tryTake() && !this.stopped) {
        throttled = true;
        await this.sleep(this.bucket.waitMs());
      }
      if (this.stopped) break;
      // Waited for a token: everything that queued up meanwhile goes as one summary.
      const batch = throttled ? await outbox.read(destination.maxBatch) : head;
      if (await this.deliverBatch(batch)) await outbox.ack(batch);
    }
  }

  /** True when the batch is done with (delivered, rejected, expired or undecodable): acknowledge it. */
  private async deliverBatch(batch: PendingMessage[]): Promise<boolean> {
    const items: AlertItem[] = [];
    for (const entry of batch) {
      const item = decodeAlertItem(entry.payload);
      if (item) items.push(item);
      else this.counts.undecodable++;
    }
    if (items.length === 0) return true;
    const oldest = Math.min(...batch.map((m) => m.appendedAt));
    return this.deliverWithRetries(alertMessage(items), oldest);
  }

  private async deliverWithRetries(message: AlertMessage, oldestAppendedAt: number): Promise<boolean> {
    const { destination, logger } = this.options;
    const body = JSON.stringify(ALERT_FORMATTERS[destination.format](message));
    const n = message.items.length;
    const log = { destination: destination.name, deliveryId: message.deliveryId, alerts: n };
    for (let attempt = 1; ; attempt++) {
      const outcome: AttemptOutcome = await postAlert({ url: destination.url, body, secret: destination.secret, deliveryId: message.deliveryId, timeoutMs: destination.timeoutMs, signal: this.stopping.signal });
      if (this.stopped) return false;
      if (outcome.kind === 'delivered') {
        this.counts.delivered += n;
        this.counts.messages++;
        if (message.coalesced) this.counts.coalesced += n;
        return true;
      }
      if (outcome.kind === 'rejected') {
        this.counts.rejected += n;
        logger.warn({ ...log, status: outcome.status }, 'alert rejected by the receiver; not retried');
        return true;
      }
      this.counts.retries++;
      const delayMs = retryDelayMs(attempt, destination.retry, outcome.retryAfterMs, this.options.random);
      if (Date.now() + delayMs - oldestAppendedAt > destination.retry.maxAgeMs) {
        this.counts.expired += n;
        logger.error({ ...log, attempts: attempt, reason: outcome.reason }, 'alert undeliverable within retry.maxAgeMs; dropped');
        return true;
      }
      logger.warn({ ...log, attempt, reason: outcome.reason, status: outcome.status, delayMs }, 'alert delivery failed; will retry');
      await this.sleep(delayMs);
      if (this.stopped) return false;
    }
  }
}
