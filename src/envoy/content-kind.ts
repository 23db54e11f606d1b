/**
 * What kind of body a Content-Type announces, for deciding how to scan it: JSON (parsed, LLM
 * API aware), server-sent events (scanned incrementally), other text (scanned as text), or
 * binary (not scannable).
 */
import { mediaType } from './header-map.js';

export type ContentKind = 'json' | 'sse' | 'text' | 'binary';

/** Media types without a text/ prefix that are nonetheless text. */
const TEXT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/javascript',
  'application/graphql',
  'application/x-ndjson',
  'application/yaml',
]);

/**
 * `unknownAs` decides for a missing or unrecognised type: callers choose between scanning it
 * as text (safe default) and skipping it.
 */
export function contentKind(contentType: string | undefined, unknownAs: 'text' | 'binary' = 'text'): ContentKind {
  const type = mediaType(contentType);
  if (type === 'text/event-stream') return 'sse';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+xml')) return 'text';
  if (/^(image|audio|video|font)\//.test(type) || type === 'application/octet-stream' || type === 'application/pdf' ||
      type === 'application/zip' || type === 'application/gzip' || type === 'application/grpc' || type.startsWith('application/grpc+') ||
      type === 'application/x-protobuf' || type === 'application/protobuf' || type.startsWith('multipart/')) {
    return 'binary';
  }
  return unknownAs;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when it is not valid UTF-8 or holds NUL bytes (binary). */
export function bodyText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True when a Content-Encoding means the bytes are compressed (not scannable as they are). */
export function isEncoded(contentEncoding: string | undefined): boolean {
  const value = (contentEncoding ?? '').trim().toLowerCase();
  return value !== '' && value !== 'identity';
}
