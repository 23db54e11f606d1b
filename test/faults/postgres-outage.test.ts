/**
 * Fault: PostgreSQL goes away and comes back, under a running control plane and a managed
 * sidecar. The shared server is not stopped: the control plane reaches its own fresh database
 * through a real TCP proxy (tcp-proxy.ts) that the test cuts (every connection reset, new ones
 * refused) and restores. Needs DATABASE_URL (PGlite has no network to cut).
 *
 * One story, in order:
 * - cut: the sidecar keeps enforcing its snapshot and stays SERVING; admin reads and writes fail
 *   with UNAVAILABLE and a plain message (not INTERNAL); the records of scans made meanwhile
 *   cannot be ingested, so the sidecar spills them to disk;
 * - restore, WITHOUT restarting anything: reads and writes work again (the pg pool opens new
 *   connections), a policy change reaches the sidecar through LISTEN/NOTIFY (polling is off,
 *   so only a re-subscribed listener can deliver it), and every record made during the
 *   outage is stored exactly once.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import type { Database } from '../../src/store/database.js';
import { openPgDatabase } from '../../src/store/pg-database.js';
import { isStoreUnavailable } from '../../src/store/store-unavailable.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { testClient, type TestClient } from '../control/grpc-test-client.js';
import { eventually, healthOf, SECRET, silent, startManagedSidecar, TempDirs, token } from '../control/push-fixture.js';
import { scanClient, type ScanClient } from '../helpers/scan-client.js';
import { postgresFactory, type TestDatabase } from '../store/test-databases.js';
import { settle } from './fault-helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) console.warn('postgres-outage.test.ts skipped: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres); PGlite has no network connection to cut');

const NODE = 'pg-outage-node';
const policy = (rules: string) => `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  timeBudgetMs: 30000
  customRules:
${rules}`;
const rule = (id: string, phrase: string) => `    - id: ${id}\n      phrases: ["${phrase}"]\n      action: BLOCK\n`;
const KITE = rule('no-crimson-kites', 'crimson kite');
const GIRAFFE = rule('no-green-giraffes', 'green giraffe');
const OTTER = rule('no-blue-otters', 'blue otter');
const UNAVAILABLE = { ok: false, code: status.UNAVAILABLE, details: 'the database is unreachable; retry later' };

describe.skipIf(!DATABASE_URL)('fault: PostgreSQL stops and returns under the control plane', { timeout: 90_000 }, () => {
  const dirs = new TempDirs();
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let proxied: Database;
  let plane: ControlPlane;
  let sidecar: ConnectedSidecar;
  let admin: TestClient<typeof PolicyAdminService>;
  let scans: ScanClient;
  let adminToken: string;
  let policyVersion = 0;
  let scansMade = 0;

  const scan = async (content: string): Promise<Action> => {
    const res = await scans.scan({ tenantId: 'acme', content, agentId: 'agent-pg' }, { deadlineMs: 30_000 });
    scansMade++;
    return res.action;
  };
  const update = (yaml: string) => admin.call('updatePolicy', { policyId: 'default', yaml, expectedVersion: policyVersion }, adminToken);
  const applied = async (yaml: string): Promise<string> => {
    const res = await update(yaml);
    policyVersion = res.policy!.version;
    return `r${res.policy!.revision}`;
  };
  /** Records of this sidecar, read on a direct connection (the proxy may be cut). */
  const stored = async () => {
    const { rows } = await direct.db.query<{ total: unknown; distinct: unknown }>(
      `SELECT count(*) AS total, count(DISTINCT scan_id) AS distinct FROM scan_records WHERE sidecar_id = $1`,
      [NODE],
    );
    return { total: Number(rows[0]?.total), distinct: Number(rows[0]?.distinct) };
  };

  beforeAll(async () => {
    direct = await postgresFactory(DATABASE_URL!).create();
    const { rows } = await direct.db.query<{ name: string }>('SELECT current_database() AS name');
    const target = new URL(DATABASE_URL!);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(DATABASE_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    viaProxy.pathname = `/${rows[0]!.name}`;
    proxied = await openPgDatabase({ connectionString: viaProxy.toString(), maxConnections: 4 });
    plane = await startControlPlane({
      listen: '127.0.0.1:0',
      database: proxied,
      auth: { hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 },
      logger: silent,
      retentionIntervalMs: 0,
      policyEnv: {},
      // No fallback poll: after the outage only a re-subscribed LISTEN can deliver a change.
      policySync: { pollIntervalMs: 0 },
    });
    await plane.repositories.tenants.create({ tenantId: 'acme' });
    adminToken = await token(['admin']);
    admin = testClient(PolicyAdminService, plane.address);
    policyVersion = (await admin.call('createPolicy', { policyId: 'default', yaml: policy(KITE) }, adminToken)).policy!.version;
    sidecar = await startManagedSidecar(plane.address, await token(['sidecar']), dirs.make(), NODE);
    scans = scanClient(sidecar.address);
    await eventually('the first snapshot is enforced', () => sidecar.agent.enforcedVersions().acme !== undefined, 20_000);
  }, 120_000);

  afterAll(async () => {
    scans?.close();
    admin?.close();
    await sidecar?.close(1000);
    await plane?.close(1000);
    await proxied?.close();
    await proxy?.close();
    await direct?.dispose();
    dirs.removeAll();
  });

  it('cut: the sidecar enforces its snapshot; reads and writes fail UNAVAILABLE with a plain message; records spill', async () => {
    const enforced = sidecar.agent.enforcedVersions().acme;
    // The cut lands in the middle of a transaction (a checked-out connection): the
    // transaction fails as unavailable, and the lost connection does not end the process.
    let inside: () => void = () => undefined;
    const midway = new Promise<void>((resolve) => (inside = resolve));
    const transaction = settle(
      proxied.transaction(async (tx) => {
        await tx.query('SELECT 1');
        inside();
        await new Promise((r) => setTimeout(r, 300));
        await tx.query('SELECT 2');
      }),
    );
    await midway;
    proxy.cut();
    const failed = await transaction;
    expect(failed.ok).toBe(false);
    expect(!failed.ok && isStoreUnavailable(failed.error)).toBe(true);
    expect(await scan('a crimson kite during the outage')).toBe(Action.BLOCK);
    expect(await scan('an ordinary question during the outage')).toBe(Action.ALLOW);
    expect(await healthOf(sidecar.address)).toBe('SERVING');

    expect(await settle(admin.call('getPolicy', { policyId: 'default' }, adminToken))).toMatchObject(UNAVAILABLE);
    expect(await settle(admin.call('listPolicies', {}, adminToken))).toMatchObject(UNAVAILABLE);
    expect(await settle(update(policy(KITE + GIRAFFE)))).toMatchObject(UNAVAILABLE);
    // The failed write changed nothing anywhere.
    expect(sidecar.agent.enforcedVersions().acme).toBe(enforced);
    expect(await scan('a green giraffe')).toBe(Action.ALLOW);

    for (let i = 0; i < 40; i++) await scan(`outage request ${i}`);
    // Ingest answers UNAVAILABLE, which the shipper retries: the records wait on disk.
    await eventually('records spilled to disk', () => sidecar.shipper.stats().spooledBytes > 0 && sidecar.shipper.stats().buffered === 0, 20_000);
    expect(sidecar.shipper.stats().dropped).toBe(0);
  });

  it('restored: everything recovers without a restart; changes arrive by NOTIFY; every record is stored once', async () => {
    proxy.restore();
    // The pool opens fresh connections on the next checkout.
    await eventually('admin reads work again', async () => (await settle(admin.call('getPolicy', { policyId: 'default' }, adminToken))).ok, 20_000);
    const second = await applied(policy(KITE + GIRAFFE));
    await eventually('the sidecar enforces the change made after the outage', () => sidecar.agent.enforcedVersions().acme === second, 30_000);
    expect(await scan('a green giraffe')).toBe(Action.BLOCK);
    // The listener is back for good, not just re-read once on reconnect: the next change
    // also arrives, by NOTIFY alone.
    const third = await applied(policy(KITE + GIRAFFE + OTTER));
    await eventually('a second change arrives by NOTIFY', () => sidecar.agent.enforcedVersions().acme === third, 15_000);
    expect(await scan('a blue otter')).toBe(Action.BLOCK);
    expect(await scan('a crimson kite')).toBe(Action.BLOCK);

    await eventually(`${scansMade} records stored`, async () => (await stored()).total >= scansMade, 30_000);
    await eventually('the spill file is drained', () => sidecar.shipper.stats().spooledBytes === 0 && sidecar.shipper.stats().buffered === 0);
    expect(await stored()).toEqual({ total: scansMade, distinct: scansMade });
    expect(sidecar.shipper.stats().dropped).toBe(0);
  });
});
