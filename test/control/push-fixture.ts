/**
 * A control plane that can be stopped and started again on the same port and database
 * (PGlite in memory, or a fresh PostgreSQL database when DATABASE_URL is set), and real
 * control-plane-managed sidecars with short backoffs, for the policy push tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { hmacSecretFrom, type AuthConfig } from '../../src/control/auth/auth-config.js';
import { mintHs256Token } from '../../src/control/auth/mint-token.js';
import type { Role } from '../../src/control/auth/roles.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import { startConnectedSidecar, type ConnectedSidecar, type ConnectedSidecarOptions } from '../../src/sidecar/start-connected-sidecar.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { pgliteFactory, postgresFactory, type TestDatabase } from '../store/test-databases.js';

export const SECRET = 'push-fixture-secret-that-is-long-enough-0123456789';
export const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const auth: AuthConfig = { hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 };

/** Engine of the run: PostgreSQL when DATABASE_URL is set, else PGlite. */
export const ENGINE = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export function token(roles: Role[], tenant = 'acme', tenants?: string[]): Promise<string> {
  return mintHs256Token({ secret: hmacSecretFrom(SECRET), roles, tenantId: tenant, tenants, subject: 'push-test', ttlSeconds: 3600 });
}

export interface PushPlane {
  readonly plane: ControlPlane;
  readonly address: string;
  readonly db: TestDatabase;
  /** Stops the control plane (the database stays). */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPushPlane(policyEnv: Record<string, string> = {}): Promise<PushPlane> {
  const url = process.env.DATABASE_URL;
  const db = await (url ? postgresFactory(url) : pgliteFactory).create();
  const options = { database: db.db, auth, logger: silent, retentionIntervalMs: 0, policyEnv, policySync: { pollIntervalMs: 500 } };
  let plane: ControlPlane | undefined = await startControlPlane({ ...options, listen: '127.0.0.1:0' });
  const port = plane.port;
  return {
    get plane() {
      if (!plane) throw new Error('the control plane is stopped');
      return plane;
    },
    address: `127.0.0.1:${port}`,
    db,
    async stop() {
      await plane?.close(1000);
      plane = undefined;
    },
    async restart() {
      plane = await startControlPlane({ ...options, listen: `127.0.0.1:${port}`, migrate: false });
    },
    async dispose() {
      await plane?.close(1000);
      await db.dispose();
    },
  };
}

/** Fresh data directories, removed at the end. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = 'bulwark-push-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** A managed sidecar with test-friendly timings (1 worker, 50 ms record flushes, ≤ 500 ms backoff). */
export async function startManagedSidecar(
  address: string,
  sidecarToken: string,
  dataDir: string,
  nodeId: string,
  extra: Partial<ConnectedSidecarOptions> = {},
): Promise<ConnectedSidecar> {
  return startConnectedSidecar({
    listen: '127.0.0.1:0',
    workers: 1,
    logger: silent,
    controlPlane: { address, token: sidecarToken },
    dataDir,
    nodeId,
    tenants: ['acme'],
    initialPolicyTimeoutMs: 0,
    policyEnv: {},
    records: { flushIntervalMs: 50, backoffBaseMs: 50, backoffMaxMs: 400 },
    policyBackoff: { baseMs: 50, maxMs: 400 },
    ...extra,
  });
}

const HealthClient = grpc.makeClientConstructor(healthService, 'Health');
interface HealthStub extends grpc.Client {
  check(request: { service: string }, callback: (err: grpc.ServiceError | null, value?: { status: string }) => void): void;
}

/** The sidecar's grpc.health.v1 status for "". */
export function healthOf(address: string): Promise<string> {
  const client = new HealthClient(address, grpc.credentials.createInsecure()) as unknown as HealthStub;
  return new Promise<string>((resolve, reject) =>
    client.check({ service: '' }, (err, value) => {
      client.close();
      if (err) reject(err);
      else resolve(value!.status);
    }),
  );
}

/** Polls `probe` until it returns true (or throws after `timeoutMs`, with `what` in the message). */
export async function eventually(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
