/**
 * Request signing: `X-Bulwark-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
 * with `X-Bulwark-Timestamp: <unix seconds>`. Signing the timestamp with the body means a
 * captured request cannot be replayed later with a fresh timestamp; receivers reject old
 * timestamps and de-duplicate on X-Bulwark-Delivery inside the window (docs/alerts.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-bulwark-signature';
export const TIMESTAMP_HEADER = 'x-bulwark-timestamp';
/** How far a receiver should let the timestamp drift from its clock (both ways). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function mac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The two headers for one attempt (each retry is signed afresh with its own timestamp). */
export function signatureHeaders(secret: string, body: string | Uint8Array, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${mac(secret, timestamp, body).toString('hex')}` };
}

export type SignatureCheck = 'ok' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * What a receiver does (exported for receivers written in TypeScript and for the tests):
 * constant-time comparison over the raw body bytes, timestamp within `toleranceSeconds`.
 */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  headers: { signature: string | undefined; timestamp: string | undefined },
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'missing';
  const hex = /^sha256=([0-9a-f]{64})$/.exec(signature)?.[1];
  if (!hex || !/^[0-9]{1,12}$/.test(timestamp)) return 'malformed';
  const age = Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return 'stale';
  return timingSafeEqual(Buffer.from(hex, 'hex'), mac(secret, timestamp, body)) ? 'ok' : 'mismatch';
}
