/**
 * Column values normalised across drivers: `pg` returns int8 and numeric as strings, PGlite
 * as numbers; both return jsonb and arrays parsed.
 */

/** An int4/int8/numeric column as a JS number. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') return Number(value);
  return 0;
}

/** An int8 column as a bigint (exact beyond 2^53). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return 0n;
}

/** A text column that may be NULL. */
export function toText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A text[] column. */
export function toTextArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
