/**
 * {@link Database} over embedded PGlite (PostgreSQL compiled to WebAssembly, in-process).
 * One instance is one session: PGlite serialises queries and transactions itself, so
 * `transaction` is exclusive and a query from elsewhere never lands inside it.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { CHANNEL_NAME, type Database, type NotifyHandler, type QueryResult, type SqlExecutor } from './database.js';

function executor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/**
 * Opens (creating when needed) a PGlite database. `dataDir` is a directory on disk, or
 * `memory://` for a throw-away in-memory database (tests).
 */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  const db = await PGlite.create({ dataDir });
  let closed = false;
  const base = executor(db);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(executor(tx)));
    },
    async listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>> {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid channel name "${channel}"`);
      // In-process: notifications arrive after the notifying transaction commits; the
      // "connection" cannot be lost, so `undefined` is never delivered.
      const unlisten = await db.listen(channel, (payload) => onNotify(payload));
      return async () => {
        if (!closed) await unlisten();
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
