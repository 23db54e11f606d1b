/**
 * One control plane per test file on a shared in-memory PGlite (starting PGlite costs
 * seconds), HS256 tokens minted for it, and clients that are closed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { hmacSecretFrom, type AuthConfig } from '../../src/control/auth/auth-config.js';
import { mintHs256Token, type MintOptions } from '../../src/control/auth/mint-token.js';
import type { Role } from '../../src/control/auth/roles.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import type { Database } from '../../src/store/database.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { pino } from 'pino';
import { testClient, type TestClient } from './grpc-test-client.js';
import type { DescService } from '@bufbuild/protobuf';

export const TEST_SECRET = randomBytes(32).toString('base64');

export interface Fixture {
  db: Database;
  plane: ControlPlane;
  /** A token for the test secret; `tenant: null` leaves the claim out. */
  token(roles: Role[] | string[], tenant?: string | null, extra?: Partial<MintOptions>): Promise<string>;
  client<S extends DescService>(service: S): TestClient<S>;
  /** Starts another control plane on the same database with other auth settings. */
  startAnother(auth: AuthConfig): Promise<ControlPlane>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const db = await openPgliteDatabase('memory://');
  // Only unexpected (INTERNAL) failures log at error level: worth seeing in test output.
  const logger = pino({ level: 'error' }, pino.destination({ dest: 2, sync: true }));
  const auth: AuthConfig = { hmacSecret: hmacSecretFrom(TEST_SECRET), clockToleranceSeconds: 60 };
  const policyEnv = { BULWARK_HASH_SALT: 'fixture-salt' };
  const plane = await startControlPlane({ listen: '127.0.0.1:0', database: db, auth, logger, retentionIntervalMs: 0, policyEnv });
  const clients: TestClient<unknown>[] = [];
  const others: ControlPlane[] = [];
  return {
    db,
    plane,
    token(roles, tenant = 'acme', extra = {}) {
      return mintHs256Token({
        secret: hmacSecretFrom(TEST_SECRET),
        roles: roles as Role[],
        tenantId: tenant === null ? undefined : tenant,
        subject: 'tester',
        ttlSeconds: 600,
        ...extra,
      });
    },
    client(service) {
      const c = testClient(service, plane.address);
      clients.push(c as TestClient<unknown>);
      return c;
    },
    async startAnother(otherAuth) {
      const other = await startControlPlane({ listen: '127.0.0.1:0', database: db, auth: otherAuth, logger, retentionIntervalMs: 0, policyEnv, migrate: false });
      others.push(other);
      return other;
    },
    async close() {
      clients.forEach((c) => c.close());
      await Promise.all(others.map((o) => o.close(1000)));
      await plane.close(1000);
      await db.close();
    },
  };
}
