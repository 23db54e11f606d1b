/**
 * Opaque page tokens: base64url JSON of the last row's sort key plus a fingerprint of the
 * query (list kind + filter). Using a token with another filter is an error rather than a
 * silently wrong page. Tokens are not secret: they only ever narrow the caller's own
 * tenant-scoped query, and their values travel as bound parameters.
 */
import { createHash } from 'node:crypto';
import { StoreError } from './store-error.js';

/** A page of results. */
export interface Page<T> {
  items: T[];
  /** Empty when there are no more rows. */
  nextPageToken: string;
}

/** Sort-key values carried by a token. */
export type PageKey = readonly (string | number)[];

/** Default and maximum page sizes (AIP-158: larger requests are lowered, not rejected). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** The page size to use for a requested one (0 = default). */
export function effectivePageSize(requested: number | undefined): number {
  if (!requested || requested < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.floor(requested), MAX_PAGE_SIZE);
}

/** A short fingerprint of whatever defines the query, e.g. `{ list: 'records', filter }`. */
export function queryFingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export function encodePageToken(key: PageKey, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ k: key, q: fingerprint })).toString('base64url');
}

/** Decodes a token; `undefined` for the empty token (first page). */
export function decodePageToken(token: string | undefined, fingerprint: string, arity: number): PageKey | undefined {
  if (!token) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new StoreError('invalid-argument', 'page_token is not valid');
  }
  const { k, q } = (parsed ?? {}) as { k?: unknown; q?: unknown };
  if (
    !Array.isArray(k) ||
    k.length !== arity ||
    !k.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) ||
    typeof q !== 'string'
  ) {
    throw new StoreError('invalid-argument', 'page_token is not valid');
  }
  if (q !== fingerprint) throw new StoreError('invalid-argument', 'page_token belongs to a different query (filters changed)');
  return k as PageKey;
}

/**
 * Builds a page from `pageSize + 1` fetched rows: the extra row only says whether there is
 * a next page.
 */
export function toPage<Row, T>(rows: Row[], pageSize: number, map: (row: Row) => T, keyOf: (row: Row) => PageKey, fingerprint: string): Page<T> {
  const more = rows.length > pageSize;
  const kept = more ? rows.slice(0, pageSize) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextPageToken: more && last !== undefined ? encodePageToken(keyOf(last), fingerprint) : '',
  };
}
