/**
 * LISTEN on PostgreSQL: one dedicated connection per listener (a pooled connection would
 * take its LISTEN back to the pool and lose it). When that connection fails, it is opened
 * again with backoff, and the handler is told (`undefined`) that notifications may have been
 * missed in between, so the caller re-reads whatever it watches.
 */
import pg from 'pg';
import type { NotifyHandler } from './database.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

/** Listens until the returned function is called; resolves once the first LISTEN succeeded. */
export async function listenOnPostgres(
  connectionString: string,
  channel: string,
  onNotify: NotifyHandler,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (msg) => {
      if (msg.channel === channel) onNotify(msg.payload ?? '');
    });
    // A lost connection emits 'error' (and/or 'end'); both lead to one reconnect.
    // Before LISTEN succeeded, failures are the caller's (a rejected connect) to handle.
    let live = false;
    const onLost = (): void => {
      if (!live || stopped) return;
      live = false;
      client = undefined;
      next.end().catch(() => undefined);
      scheduleReconnect();
    };
    next.on('error', onLost);
    next.on('end', onLost);
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (err) {
      next.end().catch(() => undefined);
      throw err;
    }
    live = true;
    client = next;
  };

  const scheduleReconnect = (): void => {
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = setTimeout(() => {
      if (stopped) return;
      connect().then(
        () => {
          retryMs = FIRST_RETRY_MS;
          onNotify(undefined);
        },
        () => scheduleReconnect(),
      );
    }, delay);
    retryTimer.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}
