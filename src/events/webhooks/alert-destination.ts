/**
 * Alert destinations in their compiled form (everything present, secrets resolved), and the
 * filter deciding which events go where. Built once at start by alert-destination-config.ts.
 */
import { SEVERITY_RANK, highestSeverity, type AlertEvent, type SeverityName } from './alert-event.js';

export const ALERT_FORMATS = ['json', 'slack', 'teams'] as const;
export type AlertFormatName = (typeof ALERT_FORMATS)[number];

export interface AlertRateLimit {
  /** Sustained messages per minute to this destination. */
  perMinute: number;
  /** Messages that may go at once after a quiet period. */
  burst: number;
}

export interface AlertRetry {
  /** First backoff; doubles per failed attempt, with full jitter. */
  baseMs: number;
  /** Backoff ceiling (and the ceiling on a receiver's Retry-After). */
  maxMs: number;
  /** An alert still undelivered this long after it was raised is dropped (counted, logged). */
  maxAgeMs: number;
}

export interface AlertDestination {
  /** Unique; names the destination in logs, stats and the outbox. */
  name: string;
  url: string;
  format: AlertFormatName;
  /** HMAC-SHA256 key for X-Bulwark-Signature; undefined: requests are not signed. */
  secret: string | undefined;
  /** Threat events alert at or above this severity. */
  minSeverity: SeverityName;
  /** Denied agent actions alert (whatever their threats' severity). */
  deniedActions: boolean;
  /** Only these tenants' events; undefined: every tenant. */
  tenants: ReadonlySet<string> | undefined;
  /** Per request, connect to last byte. */
  timeoutMs: number;
  rateLimit: AlertRateLimit;
  retry: AlertRetry;
  /** At most this many alerts coalesced into one summary message. */
  maxBatch: number;
}

export const DESTINATION_DEFAULTS = {
  minSeverity: 'HIGH' as SeverityName,
  deniedActions: true,
  timeoutMs: 5_000,
  rateLimit: { perMinute: 20, burst: 5 },
  retry: { baseMs: 1_000, maxMs: 300_000, maxAgeMs: 24 * 3_600_000 },
  maxBatch: 100,
} as const;

/** Whether `event` should be sent to `destination`. */
export function wantsAlert(destination: AlertDestination, event: AlertEvent): boolean {
  if (destination.tenants && !destination.tenants.has(event.tenantId)) return false;
  if (event.kind === 'ACTION_DENIED') return destination.deniedActions;
  const severity = highestSeverity(event);
  return severity !== undefined && SEVERITY_RANK[severity] >= SEVERITY_RANK[destination.minSeverity];
}
