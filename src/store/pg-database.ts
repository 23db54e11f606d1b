/** {@link Database} over a real PostgreSQL server through a `pg` connection pool. */
import pg from 'pg';
import { CHANNEL_NAME, type Database, type NotifyHandler, type QueryResult, type SqlExecutor } from './database.js';
import { listenOnPostgres } from './pg-listener.js';

/** Options of the PostgreSQL pool. */
export interface PgDatabaseOptions {
  /** postgres://user@host:port/db */
  connectionString: string;
  /** Pool size (default 10). */
  maxConnections?: number;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await client.query(sql);
    },
  };
}

/** Opens a pool; the first connection is made (and checked) before this resolves. */
export async function openPgDatabase(options: PgDatabaseOptions): Promise<Database> {
  // A stalled network (packets dropped, no reset) must fail a checkout within seconds rather
  // than hold callers until their deadlines; keepalive notices a dead peer on idle connections.
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client's network error would otherwise be an unhandled 'error' event that kills
  // the process; the pool drops that client and the next checkout opens a fresh one.
  pool.on('error', () => undefined);
  const probe = await pool.connect();
  probe.release();
  let closed = false;
  const listeners = new Set<() => Promise<void>>();
  const base = executor(pool);
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The pool listens for errors only on idle clients: a connection lost while this one is
      // checked out would be an 'error' event nobody handles, which ends the process. The
      // failing query rejects anyway; the error only marks the client for disposal.
      const onLost = (err: Error): void => {
        broken ??= err;
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back must not go back into the pool.
          broken = rollbackError as Error;
        }
        throw err;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },
    async listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>> {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid channel name "${channel}"`);
      const stop = await listenOnPostgres(options.connectionString, channel, onNotify);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
}
