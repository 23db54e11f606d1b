/**
 * Versioned SQL migrations: `migrations/NNN_name.sql`, applied in order, each recorded
 * with a checksum in `schema_migrations`.
 *
 * All pending migrations run in ONE transaction that first takes a transaction-scoped
 * advisory lock. Two replicas starting at once therefore serialise: the second waits for
 * the first to commit, then finds nothing left to do. PostgreSQL DDL is transactional, so
 * a failing migration leaves the schema exactly as it was.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** sha256 of the file's text: an applied migration must never change. */
  checksum: string;
}

/** What one run did. */
export interface MigrationReport {
  /** "NNN_name" of each migration applied by this run, in order. */
  applied: string[];
  /** The highest version now applied. */
  currentVersion: number;
}

/** The folder shipped next to this module (copied into dist/ by scripts/copy-assets.mjs). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Arbitrary but fixed: "bulwark" in ASCII. Only other Bulwark migrators contend for it. */
const MIGRATION_LOCK_KEY = 0x62756c7761726bn;

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Reads and orders the migration files of `dir`. Throws on a malformed or duplicate number. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migration file name must look like 001_name.sql: ${file}`);
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? '',
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 001, 002, ... without gaps; found ${label(m)} at position ${i + 1}`);
  });
  return migrations;
}

function label(m: Pick<Migration, 'version' | 'name'>): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

/**
 * Applies every pending migration. Idempotent; safe to run concurrently from several
 * processes against one database. Throws when an applied migration's file has changed.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const applied = new Map(done.rows.map((r) => [Number(r.version), r]));
    for (const [version, row] of applied) {
      const file = all.find((m) => m.version === version);
      if (!file) throw new Error(`the database has migration ${label(row)}, which this build does not know (downgrade?)`);
      if (file.checksum !== row.checksum) throw new Error(`migration ${label(file)} was changed after it was applied`);
    }
    const report: MigrationReport = { applied: [], currentVersion: Math.max(0, ...applied.keys()) };
    for (const m of all) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      report.applied.push(label(m));
      report.currentVersion = m.version;
    }
    return report;
  });
}
