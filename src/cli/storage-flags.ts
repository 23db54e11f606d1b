/** Storage settings shared by `bulwark control` and `bulwark migrate`: DATABASE_URL, else --data-dir. */
import type { ParsedFlags } from './parse-flags.js';
import { stringFlag } from './parse-flags.js';
import { defaultDataDir, type StorageConfig } from '../store/open-database.js';

export const STORAGE_HELP = `  --data-dir DIR      PGlite data directory when DATABASE_URL is not set
                      (BULWARK_DATA_DIR; default ${'$'}XDG_STATE_HOME/bulwark/control-plane,
                      else ~/.local/state/bulwark/control-plane)`;

export const STORAGE_FLAGS = { 'data-dir': { type: 'string' } } as const;

/** DATABASE_URL (PostgreSQL) wins; otherwise the flag, BULWARK_DATA_DIR, then the default. */
export function storageConfig(flags: ParsedFlags, env: NodeJS.ProcessEnv): StorageConfig {
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { dataDir: stringFlag(flags, 'data-dir') ?? (env.BULWARK_DATA_DIR || defaultDataDir(env)) };
}
