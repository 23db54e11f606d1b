/**
 * Event ids: UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits. Unique
 * without coordination, and sortable by time, which helps consumers that de-duplicate in
 * windows (at-least-once delivery re-sends events with the same id).
 */
import { randomBytes } from 'node:crypto';

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
