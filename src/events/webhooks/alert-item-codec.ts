/** An alert's bytes in the outbox: UTF-8 JSON of {@link AlertItem}. */
import type { AlertItem } from './alert-message.js';

export function encodeAlertItem(item: AlertItem): Uint8Array {
  return Buffer.from(JSON.stringify(item), 'utf8');
}

/** Undefined for bytes that are not an alert item (written by another version, damaged). */
export function decodeAlertItem(payload: Uint8Array): AlertItem | undefined {
  try {
    const v = JSON.parse(Buffer.from(payload).toString('utf8')) as Partial<AlertItem>;
    const a = v?.alert;
    if (!a || typeof a.eventId !== 'string' || !Array.isArray(a.threats)) return undefined;
    return { alert: a, json: v.json };
  } catch {
    return undefined;
  }
}
