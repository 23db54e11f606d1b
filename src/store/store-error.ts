/**
 * The failures a repository reports on purpose. The control plane maps each kind to one
 * gRPC status code (src/control/status-errors.ts); anything else is an internal error.
 */
export type StoreErrorKind = 'not-found' | 'already-exists' | 'conflict' | 'failed-precondition' | 'invalid-argument';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The SQLSTATE of a driver error (pg and PGlite both set `code`), if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLSTATE 23503: a row references a tenant (or parent) that does not exist. */
export const FOREIGN_KEY_VIOLATION = '23503';
/** SQLSTATE 23505. */
export const UNIQUE_VIOLATION = '23505';
/** SQLSTATE 23514: a CHECK constraint (length limits, enum values). */
export const CHECK_VIOLATION = '23514';
/** SQLSTATE 22P02: e.g. a scan id that is not a UUID. */
export const INVALID_TEXT_REPRESENTATION = '22P02';

/**
 * Turns constraint violations that callers can cause into StoreErrors; rethrows the rest.
 * Messages are fixed strings: driver messages may quote row values.
 */
export function translateConstraintError(err: unknown, context: { tenantId?: string } = {}): never {
  switch (sqlState(err)) {
    case FOREIGN_KEY_VIOLATION:
      throw new StoreError('failed-precondition', context.tenantId ? `tenant "${context.tenantId}" is not registered` : 'a referenced row does not exist');
    case CHECK_VIOLATION:
      throw new StoreError('invalid-argument', 'a value is out of range or too long');
    case INVALID_TEXT_REPRESENTATION:
      throw new StoreError('invalid-argument', 'a value has the wrong format');
    default:
      throw err;
  }
}
