/**
 * The one small interface both storage engines implement: PostgreSQL through `pg`, and
 * embedded PGlite. Repositories only ever see these types, so every query runs unchanged
 * on both (the conformance suite in test/store runs against each).
 */

/** Rows of one statement. Column values arrive as the driver parses them; see `sql-values.ts`. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

/** Something that runs SQL: the database itself, or one open transaction. */
export interface SqlExecutor {
  /** Runs ONE statement with `$1`-style parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** Receives a NOTIFY payload, or `undefined` when notifications may have been missed. */
export type NotifyHandler = (payload: string | undefined) => void;

/** Channel names are interpolated into LISTEN (identifiers cannot be parameters): keep them plain. */
export const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Which engine is behind a {@link Database}. */
export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends SqlExecutor {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Prefer `inTenant` / `asPlatform` (scoped-session.ts), which also drop privileges.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel` (a lower-case SQL identifier). `onNotify` gets each NOTIFY payload of
   * a committed transaction, from any process on the database; `undefined` after the
   * listening connection was lost and re-established (notifications may have been missed:
   * re-check everything). Resolves once listening; the returned function stops it.
   */
  listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>>;
  /** Closes the pool or the embedded instance; idempotent. */
  close(): Promise<void>;
}
