/**
 * Databases for tests: a fresh in-memory PGlite, or (when DATABASE_URL is set) a uniquely
 * named PostgreSQL database created for this run and dropped afterwards, so concurrent runs
 * and earlier failed runs never collide.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/store/database.js';
import { openPgDatabase } from '../../src/store/pg-database.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';

/** A fresh empty database plus a way to open a second, independent handle on it. */
export interface TestDatabase {
  db: Database;
  /** Another connection (pool) to the same database; PGlite has only one, so the same instance. */
  openSecond(): Promise<Database>;
  dispose(): Promise<void>;
}

/** The engines a conformance suite runs against. */
export interface TestDatabaseFactory {
  name: string;
  create(): Promise<TestDatabase>;
}

export const pgliteFactory: TestDatabaseFactory = {
  name: 'pglite',
  async create() {
    const db = await openPgliteDatabase('memory://');
    return {
      db,
      openSecond: async () => ({ ...db, close: async () => undefined }),
      dispose: () => db.close(),
    };
  },
};

/** `DATABASE_URL` with its database name replaced. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function postgresFactory(adminUrl: string): TestDatabaseFactory {
  return {
    name: 'postgres',
    async create() {
      const name = `bulwark_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = withDatabase(adminUrl, name);
      const handles: Database[] = [];
      const open = async () => {
        const db = await openPgDatabase({ connectionString: url, maxConnections: 4 });
        handles.push(db);
        return db;
      };
      const db = await open();
      return {
        db,
        openSecond: open,
        async dispose() {
          await Promise.all(handles.map((h) => h.close()));
          const drop = new pg.Client({ connectionString: adminUrl });
          await drop.connect();
          try {
            await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await drop.end();
          }
        },
      };
    },
  };
}

/**
 * Like {@link postgresFactory}, but the database is owned by, and migrated as, a fresh
 * non-superuser login role with CREATEROLE: how a production deployment connects. Table
 * owners are then subject to FORCE ROW LEVEL SECURITY themselves.
 */
export function postgresNonSuperuserFactory(adminUrl: string): TestDatabaseFactory {
  return {
    name: 'postgres (non-superuser owner)',
    async create() {
      const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
      const owner = `bulwark_owner_${suffix}`;
      const name = `bulwark_test_${suffix}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
        await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
      } finally {
        await admin.end();
      }
      const url = new URL(withDatabase(adminUrl, name));
      url.username = owner;
      url.password = '';
      const handles: Database[] = [];
      const open = async () => {
        const db = await openPgDatabase({ connectionString: url.toString(), maxConnections: 4 });
        handles.push(db);
        return db;
      };
      const db = await open();
      return {
        db,
        openSecond: open,
        async dispose() {
          await Promise.all(handles.map((h) => h.close()));
          const drop = new pg.Client({ connectionString: adminUrl });
          await drop.connect();
          try {
            await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await drop.query(`DROP ROLE IF EXISTS ${owner}`);
          } finally {
            await drop.end();
          }
        },
      };
    },
  };
}
