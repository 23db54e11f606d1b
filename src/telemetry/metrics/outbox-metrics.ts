/**
 * Gauges and counters of durable event outboxes (src/events/outbox), one label value per
 * outbox so a sidecar can have several (Kafka, webhooks). Read at scrape time from each
 * outbox's `stats()`.
 */
import { Gauge, Registry } from 'prom-client';
import type { OutboxStats } from '../../events/outbox/outbox.js';
import { collectedTotals } from './collected-totals.js';

/** The outbox fields exported as metrics (what `outbox.stats()` reports, less `corrupt`). */
export type OutboxMetricStats = Omit<OutboxStats, 'corrupt'>;

/** Where outbox metrics go: a registry, or anything that has one (SidecarMetrics). */
export type MetricsTarget = Registry | { readonly registry: Registry };

const outboxesByRegistry = new WeakMap<Registry, Map<string, () => OutboxMetricStats>>();

/**
 * Exposes `statsFn()` as `bulwark_outbox_*{outbox="<name>"}`. `name` is an operator-chosen
 * identifier ("kafka", "webhooks"); registering a name again replaces its stats function.
 */
export function registerOutboxMetrics(target: MetricsTarget, name: string, statsFn: () => OutboxMetricStats): void {
  const registry = target instanceof Registry ? target : target.registry;
  let outboxes = outboxesByRegistry.get(registry);
  if (!outboxes) {
    outboxes = new Map();
    outboxesByRegistry.set(registry, outboxes);
    defineOutboxMetrics(registry, outboxes);
  }
  outboxes.set(name, statsFn);
}

function defineOutboxMetrics(registry: Registry, outboxes: Map<string, () => OutboxMetricStats>): void {
  const each = (field: keyof OutboxMetricStats) => (): [string, number][] => [...outboxes].map(([name, stats]) => [name, stats()[field]]);
  const gauge = (name: string, help: string, field: keyof OutboxMetricStats): void => {
    const read = each(field);
    new Gauge({
      name,
      help,
      labelNames: ['outbox'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [outbox, value] of read()) this.set({ outbox }, value);
      },
    });
  };
  gauge('bulwark_outbox_depth', 'Events in the outbox not yet acknowledged by their destination.', 'depth');
  gauge('bulwark_outbox_bytes', 'Bytes the outbox holds on disk.', 'bytes');
  gauge('bulwark_outbox_oldest_age_seconds', 'Age of the oldest unacknowledged event (0 when empty).', 'oldestAgeSeconds');
  collectedTotals(registry, 'bulwark_outbox_dropped_total', 'Events dropped because the outbox was full.', 'outbox', each('dropped'));
  collectedTotals(registry, 'bulwark_outbox_published_total', 'Events acknowledged by their destination.', 'outbox', each('published'));
  collectedTotals(registry, 'bulwark_outbox_failed_attempts_total', 'Publish attempts that failed (retried later).', 'outbox', each('failedAttempts'));
}
