/**
 * connect-es answers a binary (application/proto) request that does not decode — truncated
 * bytes, a bad tag, invalid UTF-8 in a string — with INTERNAL "parse binary: ...", while the
 * same bytes over gRPC and malformed JSON over Connect get INVALID_ARGUMENT. A malformed
 * request is the caller's fault, and INTERNAL (HTTP 500) would page the sidecar's owners, so
 * these are re-coded here with the gRPC path's message (content-limits.ts).
 *
 * Malformed JSON gets INVALID_ARGUMENT from connect-es already, but its message quotes the
 * body ("Unexpected token 's', \"sk-live-12\"... is not valid JSON"; protobuf-es quotes
 * strings up to 30 characters): a piece of a prompt or a key would travel back in an error
 * that callers log. Quoted parts of those messages are replaced here.
 *
 * Unary calls are decoded before any implementation runs, so their error response is rewritten
 * on the way out. (Connect streaming needs HTTP/2, which this port hands to grpc-js: over
 * HTTP/1.1 connect-es answers streaming calls 505 before decoding anything.)
 */
import type { ConnectRouter } from '@connectrpc/connect';
import type { UniversalHandler, UniversalServerResponse } from '@connectrpc/connect/protocol';
import { decodeFailureReason } from '../sidecar/content-limits.js';

const PARSE_BINARY = /^\[internal\] parse binary: |^parse binary: /;
const DECODE_JSON = /^(\[invalid_argument\] )?cannot decode /;
/** A double-quoted string (with "..." when cut) or a single-quoted token in an error message. */
const QUOTED = /"(?:[^"\\]|\\.)*"(?:\.\.\.)?|'[^']*'/g;

const FROM_JSON = ' from JSON: ';

/**
 * The message without any quoted piece of the request. A JSON syntax error's snippet can hold
 * unescaped quotes, so it is dropped whole; protobuf-es escapes the values it quotes.
 */
export function withoutQuotedInput(message: string): string {
  const at = message.indexOf(FROM_JSON);
  if (at < 0) return message.replace(QUOTED, '<redacted>');
  const head = message.slice(0, at + FROM_JSON.length);
  const detail = message.slice(at + FROM_JSON.length);
  if (/cannot decode field /.test(head) || /^expected |^invalid |^cannot /.test(detail)) return head + detail.replace(QUOTED, '<redacted>');
  return head + (/["']/.test(detail) ? 'the body is not valid JSON' : detail);
}
/** Error bodies are a short JSON object; anything longer is not the one we look for. */
const MAX_ERROR_BODY = 64 * 1024;

async function readBody(body: AsyncIterable<Uint8Array>): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_ERROR_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** A Connect unary error response (HTTP 500, JSON `{code, message}`) for undecodable input → 400 invalid_argument. */
async function recoded(response: UniversalServerResponse, typeName: string): Promise<UniversalServerResponse> {
  if ((response.status !== 500 && response.status !== 400) || !response.body || response.header?.has('content-encoding')) return response;
  const bytes = await readBody(response.body);
  if (bytes === undefined) return { ...response, body: once(new Uint8Array()) };
  let error: { code?: unknown; message?: unknown };
  try {
    error = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof error;
  } catch {
    return { ...response, body: once(bytes) };
  }
  if (typeof error.message !== 'string') return { ...response, body: once(bytes) };
  let message: string;
  if (error.code === 'internal' && PARSE_BINARY.test(error.message)) {
    message = decodeFailureReason(new Error(error.message.replace(PARSE_BINARY, '')), typeName);
  } else if (error.code === 'invalid_argument' && DECODE_JSON.test(error.message)) {
    message = withoutQuotedInput(error.message);
  } else {
    return { ...response, body: once(bytes) };
  }
  const body = Buffer.from(JSON.stringify({ code: 'invalid_argument', message }), 'utf8');
  const header = new Headers(response.header);
  header.set('content-length', String(body.byteLength));
  return { ...response, status: 400, header, body: once(body) };
}

/** Wraps every handler registered on `router` so undecodable binary requests are INVALID_ARGUMENT. Call after registering routes. */
export function answerUndecodableAsInvalidArgument(router: ConnectRouter): void {
  const handlers = router.handlers;
  handlers.forEach((handler, i) => {
    const typeName = handler.method.input.typeName;
    const wrapped = async (request: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => recoded(await handler(request), typeName);
    handlers[i] = Object.assign(wrapped, handler) as UniversalHandler;
  });
}
