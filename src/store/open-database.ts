/**
 * Chooses the storage engine: PostgreSQL when a connection string is configured
 * (DATABASE_URL), otherwise embedded PGlite in a data directory on local disk.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Database } from './database.js';
import { openPgDatabase } from './pg-database.js';
import { openPgliteDatabase } from './pglite-database.js';
import { acquireDirectoryLock } from './directory-lock.js';

/** Where the control plane keeps its data. */
export interface StorageConfig {
  /** PostgreSQL connection string; when set, `dataDir` is ignored. */
  databaseUrl?: string;
  /** PGlite data directory, or `memory://` for an in-memory database. */
  dataDir?: string;
  /** PostgreSQL pool size. */
  maxConnections?: number;
}

/** `$XDG_STATE_HOME/bulwark/control-plane`, falling back to `~/.local/state/bulwark/control-plane`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(stateHome, 'bulwark', 'control-plane');
}

/** A short description for logs: never includes a password. */
export function describeStorage(config: StorageConfig): string {
  if (config.databaseUrl) {
    try {
      const url = new URL(config.databaseUrl);
      return `postgres ${url.hostname}:${url.port || '5432'}${url.pathname}`;
    } catch {
      return 'postgres (unparsable DATABASE_URL)';
    }
  }
  return `pglite ${config.dataDir ?? defaultDataDir()}`;
}

/**
 * Opens the configured database. A PGlite directory is locked for this process: PGlite is
 * one in-process PostgreSQL instance, and two processes on the same files would corrupt them.
 */
export async function openDatabase(config: StorageConfig): Promise<Database> {
  if (config.databaseUrl) {
    return openPgDatabase({ connectionString: config.databaseUrl, maxConnections: config.maxConnections });
  }
  const dataDir = config.dataDir ?? defaultDataDir();
  if (dataDir.startsWith('memory://')) return openPgliteDatabase(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDirectoryLock(dataDir);
  try {
    const db = await openPgliteDatabase(dataDir);
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
