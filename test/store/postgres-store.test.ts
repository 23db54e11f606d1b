import { describe, it } from 'vitest';
import { describeStoreConformance } from './store-conformance.js';
import { postgresFactory, postgresNonSuperuserFactory } from './test-databases.js';

// CI sets DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres); each run creates and
// drops its own uniquely named database.
const url = process.env.DATABASE_URL;
if (url) {
  describeStoreConformance(postgresFactory(url));
  describeStoreConformance(postgresNonSuperuserFactory(url));
} else {
  describe.skip('store conformance: postgres (DATABASE_URL is not set)', () => {
    it('needs a PostgreSQL server', () => undefined);
  });
}
