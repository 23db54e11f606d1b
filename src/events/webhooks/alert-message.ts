/** One HTTP request's worth of alerts: a single alert, or several coalesced by the rate limit. */
import { createHash } from 'node:crypto';
import type { AlertEvent } from './alert-event.js';

/** An alert as stored: the facts used for filtering and chat text, and the event's JSON form. */
export interface AlertItem {
  alert: AlertEvent;
  /** The SecurityEvent JSON form, sent as is by the generic JSON format. */
  json: unknown;
}

export interface AlertMessage {
  /**
   * Stable across retries of the same message (the event id for a single alert, a hash of the
   * sorted event ids for a summary): receivers de-duplicate on it.
   */
  deliveryId: string;
  coalesced: boolean;
  items: readonly AlertItem[];
}

export function alertMessage(items: readonly AlertItem[]): AlertMessage {
  const first = items[0];
  if (items.length === 1 && first) return { deliveryId: first.alert.eventId, coalesced: false, items };
  const ids = items.map((i) => i.alert.eventId).sort();
  return { deliveryId: `sum-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32)}`, coalesced: true, items };
}

/** The body builder of one format. */
export type AlertFormatter = (message: AlertMessage) => unknown;
