/**
 * What the sidecar refuses before scanning: content over the size limit, and requests whose
 * bytes are not a valid message (chiefly invalid UTF-8 in a string field).
 *
 * Oversize content is INVALID_ARGUMENT (the proto's contract: "content over the size limit"),
 * with the size and the limit in the message. grpc-js's own receive limit is set a little above
 * ours (see `transportReceiveLimit`), so a request just over the limit gets this clear message
 * and only far larger bodies get grpc-js's RESOURCE_EXHAUSTED.
 *
 * Invalid UTF-8: protobuf-es rejects it while decoding a proto3 string. Throwing from a grpc-js
 * deserializer would surface as INTERNAL "Error deserializing request", so the deserializer
 * returns an empty message marked undecodable instead, and the handler answers INVALID_ARGUMENT.
 */
import { status } from '@grpc/grpc-js';
import { RpcError } from './status-errors.js';

/** 1 MiB: the proto's documented default. */
export const DEFAULT_MAX_CONTENT_BYTES = 1024 * 1024;

/** Room for the other fields of a request (ids, context map) above the content limit. */
const ENVELOPE_ALLOWANCE_BYTES = 64 * 1024;

/** grpc-js / Connect maximum message size for a content limit. */
export function transportReceiveLimit(maxContentBytes: number): number {
  return maxContentBytes + ENVELOPE_ALLOWANCE_BYTES;
}

/** The UTF-8 size of `text`, computing it only when it could exceed `limit` (3 bytes per UTF-16 unit at most). */
function utf8LengthOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

/** Throws INVALID_ARGUMENT when `content` is over `limit` UTF-8 bytes. */
export function checkContentSize(content: string, limit: number, what = 'content'): void {
  const bytes = utf8LengthOver(content, limit);
  if (bytes !== undefined) {
    throw new RpcError(status.INVALID_ARGUMENT, `${what} is ${bytes} bytes; the limit is ${limit} bytes`);
  }
}

/**
 * Throws INVALID_ARGUMENT when the text fields of one request together are over `limit` UTF-8
 * bytes (the proto: system_prompt and input_content count toward the limit like content).
 * With only `content` set the message is the plain one of {@link checkContentSize}.
 */
export function checkRequestSize(fields: Readonly<Record<string, string>>, limit: number): void {
  const present = Object.entries(fields).filter(([, text]) => text.length > 0);
  if (present.length <= 1) {
    const [name, text] = present[0] ?? ['content', ''];
    checkContentSize(text, limit, name);
    return;
  }
  let units = 0;
  for (const [, text] of present) units += text.length;
  if (units * 3 <= limit) return;
  let bytes = 0;
  for (const [, text] of present) bytes += Buffer.byteLength(text, 'utf8');
  if (bytes > limit) {
    const names = present.map(([name]) => name);
    const list = `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw new RpcError(status.INVALID_ARGUMENT, `${list} are ${bytes} bytes together; the limit is ${limit} bytes`);
  }
}

const undecodable = new WeakMap<object, string>();

/** Marks a placeholder message produced for bytes that did not decode. */
export function markUndecodable(message: object, reason: string): void {
  undecodable.set(message, reason);
}

/** Throws INVALID_ARGUMENT for a message marked by {@link markUndecodable}. */
export function checkDecoded(message: object): void {
  const reason = undecodable.get(message);
  if (reason !== undefined) throw new RpcError(status.INVALID_ARGUMENT, reason);
}

/** The caller-facing reason for a protobuf decoding failure. */
export function decodeFailureReason(err: unknown, typeName: string): string {
  // TextDecoder({ fatal: true }) failures: Node's code, or the WHATWG TypeError message.
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA' || /utf-?8/i.test(message)) {
    return 'request contains invalid UTF-8 in a string field (content must be UTF-8 text)';
  }
  return `request is not a valid ${typeName}`;
}
