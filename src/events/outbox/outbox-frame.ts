/**
 * The on-disk framing of one outbox entry:
 *
 *   u32 BE  body length (bytes after this 8-byte header)
 *   u32 BE  CRC-32 of the body
 *   body:   u32 BE meta length, meta (UTF-8 JSON {d, k, h, t}), payload bytes
 *
 * The CRC lets replay tell a complete record from a torn one (a crash mid-append leaves a
 * short or garbled tail); the length lets it step to the next record without parsing.
 */
import { crc32 } from 'node:zlib';

/** What callers put in the outbox; opaque to it apart from its size. */
export interface OutboxMessage {
  /** Where the entry goes: a Kafka topic, a webhook destination name, ... */
  destination: string;
  /** Partitioning/ordering key (Kafka message key); may be empty. */
  key: string;
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** A message as stored: with the time it was appended (Date.now()). */
export interface StoredMessage extends OutboxMessage {
  appendedAt: number;
}

export const FRAME_HEADER_BYTES = 8;

interface FrameMeta {
  d: string;
  k: string;
  h: Record<string, string>;
  t: number;
}

/** One complete frame (header + body). */
export function encodeFrame(message: OutboxMessage, appendedAt: number): Buffer {
  const meta: FrameMeta = { d: message.destination, k: message.key, h: message.headers, t: appendedAt };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const bodyLength = 4 + metaBytes.length + message.payload.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  frame.writeUInt32BE(bodyLength, 0);
  frame.writeUInt32BE(metaBytes.length, FRAME_HEADER_BYTES);
  metaBytes.copy(frame, FRAME_HEADER_BYTES + 4);
  frame.set(message.payload, FRAME_HEADER_BYTES + 4 + metaBytes.length);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Why a frame at some position could not be read. */
export type FrameProblem = 'truncated' | 'checksum' | 'malformed';

/**
 * Checks the frame starting at `pos` of `buf`: its total length when it is complete and its
 * checksum matches, else the problem. `buf` must hold everything up to the end of the file
 * region being scanned.
 */
export function checkFrame(buf: Buffer, pos: number): { length: number } | { problem: FrameProblem } {
  if (buf.length - pos < FRAME_HEADER_BYTES) return { problem: 'truncated' };
  const bodyLength = buf.readUInt32BE(pos);
  if (bodyLength < 4) return { problem: 'malformed' };
  const end = pos + FRAME_HEADER_BYTES + bodyLength;
  if (end > buf.length) return { problem: 'truncated' };
  if (crc32(buf.subarray(pos + FRAME_HEADER_BYTES, end)) !== buf.readUInt32BE(pos + 4)) return { problem: 'checksum' };
  return { length: FRAME_HEADER_BYTES + bodyLength };
}

/** Decodes a frame already checked with {@link checkFrame}; throws on a malformed body. */
export function decodeFrame(frame: Buffer): StoredMessage {
  const metaLength = frame.readUInt32BE(FRAME_HEADER_BYTES);
  const metaStart = FRAME_HEADER_BYTES + 4;
  const meta = JSON.parse(frame.subarray(metaStart, metaStart + metaLength).toString('utf8')) as FrameMeta;
  return {
    destination: String(meta.d),
    key: String(meta.k),
    headers: meta.h ?? {},
    appendedAt: Number(meta.t),
    payload: new Uint8Array(frame.subarray(metaStart + metaLength)),
  };
}
