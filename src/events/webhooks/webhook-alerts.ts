/**
 * Webhook alerts, composed: one durable outbox directory and one delivery loop per
 * destination (`<dir>/<destination name>/`). `publish` is the hot-path entry: it filters
 * (severity, denied actions, tenants) and queues the alert for the disk without waiting,
 * so a scan never waits on a receiver.
 *
 *   const alerts = await WebhookAlerts.start({ destinations, dir, logger });
 *   alerts.publish({ alert, json });
 *   await alerts.close();   // stops retries; undelivered alerts stay on disk for the next start
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Outbox, type OutboxStats } from '../outbox/outbox.js';
import type { Logger } from '../../telemetry/logger.js';
import { wantsAlert, type AlertDestination } from './alert-destination.js';
import { alertFromSecurityEvent } from './alert-from-security-event.js';
import { encodeAlertItem } from './alert-item-codec.js';
import type { AlertItem } from './alert-message.js';
import { DestinationDeliverer, type DestinationStats } from './destination-deliverer.js';

export interface WebhookAlertsOptions {
  destinations: readonly AlertDestination[];
  /** Parent directory of the per-destination outboxes. */
  dir: string;
  logger: Logger;
  /** Disk bound per destination (default 64 MiB); over it the oldest alerts are dropped (outbox.ts). */
  maxBytesPerDestination?: number;
  /**
   * At close, how long to keep delivering what is pending (default 2 s): an alert raised just
   * before a shutdown should not wait for the next start, which may never come on a pod
   * whose volume goes with it. What is left stays on disk.
   */
  closeGraceMs?: number;
  /** Injected by tests (jitter). */
  random?: () => number;
}

export interface WebhookAlertStats extends DestinationStats {
  destination: string;
  /** Alerts not yet delivered, and the outbox's own counters (dropped by the disk bound, …). */
  outbox: OutboxStats;
}

interface Lane {
  destination: AlertDestination;
  outbox: Outbox;
  deliverer: DestinationDeliverer;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_CLOSE_GRACE_MS = 2_000;

/** Outbox folders of destinations no longer configured (removed or renamed): their alerts would sit there unseen. */
async function warnAboutOrphans(dir: string, names: ReadonlySet<string>, logger: Logger): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isDirectory() && !names.has(e.name)) logger.warn({ folder: join(dir, e.name) }, 'alert outbox of a destination that is no longer configured: its alerts are not sent (delete the folder to discard them)');
  }
}

function isLoopbackOrHttps(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}

export class WebhookAlerts {
  private constructor(
    private readonly lanes: readonly Lane[],
    private readonly logger: Logger,
    private readonly closeGraceMs: number,
  ) {}

  static async start(options: WebhookAlertsOptions): Promise<WebhookAlerts> {
    const lanes: Lane[] = [];
    try {
      for (const destination of options.destinations) {
        const outbox = await Outbox.open({ dir: join(options.dir, destination.name), maxBytes: options.maxBytesPerDestination ?? DEFAULT_MAX_BYTES, logger: options.logger });
        const deliverer = new DestinationDeliverer({ destination, outbox, logger: options.logger, ...(options.random ? { random: options.random } : {}) });
        lanes.push({ destination, outbox, deliverer });
      }
    } catch (err) {
      await Promise.all(lanes.map((l) => l.outbox.close()));
      throw err;
    }
    for (const lane of lanes) lane.deliverer.start();
    await warnAboutOrphans(options.dir, new Set(lanes.map((l) => l.destination.name)), options.logger);
    for (const { destination } of lanes) {
      // Alerts are content-free, but tenant, rule ids and (for Slack/Teams) the URL's token are not for the wire in clear.
      if (!isLoopbackOrHttps(destination.url)) options.logger.warn({ destination: destination.name }, 'alert destination uses plain HTTP to a non-loopback host');
    }
    options.logger.info(
      { destinations: lanes.map((l) => ({ name: l.destination.name, format: l.destination.format, minSeverity: l.destination.minSeverity, signed: l.destination.secret !== undefined, pending: l.outbox.stats().depth })) },
      'webhook alerts ready',
    );
    return new WebhookAlerts(lanes, options.logger, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
  }

  /** A SecurityEvent in its JSON form: alerts when it is a threat or a denied action that a destination wants. */
  publishEvent(json: unknown): void {
    const alert = alertFromSecurityEvent(json);
    if (alert) this.publish({ alert, json });
  }

  /** Queues the alert for every destination that wants it; never throws, never waits. */
  publish(item: AlertItem): void {
    try {
      let payload: Uint8Array | undefined;
      for (const lane of this.lanes) {
        if (!wantsAlert(lane.destination, item.alert)) continue;
        payload ??= encodeAlertItem(item);
        lane.outbox.enqueue({ destination: lane.destination.name, key: item.alert.eventId, headers: {}, payload });
      }
    } catch (err) {
      this.logger.error({ err: (err as Error)?.message }, 'alert not queued');
    }
  }

  /** Resolves when everything published so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.outbox.flush()));
  }

  stats(): WebhookAlertStats[] {
    return this.lanes.map((l) => ({ destination: l.destination.name, ...l.deliverer.counts, outbox: l.outbox.stats() }));
  }

  /** Delivers what it can within the close grace, then stops; undelivered alerts stay on disk. */
  async close(): Promise<void> {
    const deadline = performance.now() + this.closeGraceMs;
    await Promise.all(
      this.lanes.map(async (l) => {
        await l.outbox.flush();
        while (l.outbox.stats().depth > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        await l.deliverer.stop();
        await l.outbox.close();
      }),
    );
  }
}
