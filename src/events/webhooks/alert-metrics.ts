/**
 * Prometheus view of webhook alerts, read from `WebhookAlerts.stats()` at scrape time (the
 * delivery loops stay free of prom-client): per destination, counters of alerts delivered,
 * coalesced, rejected and expired, of messages and retries, and each destination's outbox as
 * `bulwark_outbox_*{outbox="alerts/<name>"}`. Destination names are operator-chosen
 * (validated, bounded by the config), so they are safe label values.
 */
import type { Registry } from 'prom-client';
import { collectedTotals } from '../../telemetry/metrics/collected-totals.js';
import { registerOutboxMetrics } from '../../telemetry/metrics/outbox-metrics.js';
import type { DestinationStats } from './destination-deliverer.js';
import type { WebhookAlerts } from './webhook-alerts.js';

const COUNTERS: ReadonlyArray<[string, string, keyof DestinationStats]> = [
  ['bulwark_alerts_delivered_total', 'Alerts accepted by a webhook destination (2xx).', 'delivered'],
  ['bulwark_alert_messages_total', 'Webhook requests that succeeded (a coalesced summary is one).', 'messages'],
  ['bulwark_alerts_coalesced_total', 'Alerts sent inside a summary because the rate limit was reached.', 'coalesced'],
  ['bulwark_alert_retries_total', 'Failed webhook attempts that were retried (network error, timeout, 408, 429, 5xx).', 'retries'],
  ['bulwark_alerts_rejected_total', 'Alerts refused by a destination with a non-retryable status.', 'rejected'],
  ['bulwark_alerts_expired_total', 'Alerts dropped undelivered after retry.maxAgeMs.', 'expired'],
];

export function registerAlertMetrics(registry: Registry, alerts: WebhookAlerts): void {
  for (const [name, help, field] of COUNTERS) {
    collectedTotals(registry, name, help, 'destination', () => alerts.stats().map((s) => [s.destination, s[field]]));
  }
  for (const { destination } of alerts.stats()) {
    registerOutboxMetrics(registry, `alerts/${destination}`, () => alerts.stats().find((s) => s.destination === destination)!.outbox);
  }
}
