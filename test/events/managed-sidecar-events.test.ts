/**
 * A control-plane-managed sidecar (real control plane on PGlite or DATABASE_URL's PostgreSQL,
 * real policy stream) with Kafka unreachable: a policy pushed through the admin API becomes a
 * POLICY_CHANGED event (source CONTROL_PLANE, keyed by the tenant, old and new versions) in the
 * outbox, next to the sidecar's record spill in its data directory.
 */
import { join } from 'node:path';
import { fromJsonString } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicySource, SecurityEventSchema } from '../../gen/bulwark/v1/security_event_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { mintHs256Token } from '../../src/control/auth/mint-token.js';
import { Outbox } from '../../src/events/outbox/outbox.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { testClient } from '../control/grpc-test-client.js';
import { ENGINE, eventually, SECRET, startManagedSidecar, startPushPlane, TempDirs, token, type PushPlane } from '../control/push-fixture.js';

const POLICY = (phrase: string) => `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: no-phrase
      phrases: ["${phrase}"]
      action: BLOCK
`;

describe(`POLICY_CHANGED from a control-plane push (${ENGINE})`, () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let sidecar: ConnectedSidecar | undefined;

  beforeAll(async () => {
    cp = await startPushPlane({ BULWARK_HASH_SALT: 'cp-salt' });
    const platform = await mintHs256Token({ secret: hmacSecretFrom(SECRET), roles: ['platform-admin'], subject: 'events-test', ttlSeconds: 600 });
    const tenants = testClient(TenantService, cp.address);
    try {
      await tenants.call('createTenant', { tenantId: 'acme' }, platform);
    } finally {
      tenants.close();
    }
  }, 60_000);
  afterAll(async () => {
    await sidecar?.close(1_000);
    await cp?.dispose();
    dirs.removeAll();
  });

  it('records the pushed policy switch with the control plane as source', async () => {
    const adminToken = await token(['admin']);
    const dataDir = dirs.make();
    sidecar = await startManagedSidecar(cp.address, await token(['sidecar']), dataDir, 'node-ev', {
      events: { nodeId: 'node-ev', outboxDir: join(dataDir, 'events'), kafka: { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300 }, pump: { backoffBaseMs: 50, backoffMaxMs: 200 } },
    });
    const before = sidecar.pool.policySet.tenants.acme?.default?.version ?? '';
    const admin = testClient(PolicyAdminService, cp.address);
    try {
      await admin.call('createPolicy', { policyId: 'default', yaml: POLICY('rainbow unicorn') }, adminToken);
    } finally {
      admin.close();
    }
    await eventually('the pushed policy is enforced', () => (sidecar!.pool.policySet.tenants.acme?.default?.version ?? '') !== before, 20_000);
    await sidecar.close(1_000);
    sidecar = undefined;

    const outbox = await Outbox.open({ dir: join(dataDir, 'events') });
    const changes = (await outbox.read(1_000)).filter((m) => m.headers['event-type'] === 'POLICY_CHANGED' && m.key === 'acme');
    await outbox.close();
    expect(changes.length).toBeGreaterThanOrEqual(1);
    const event = fromJsonString(SecurityEventSchema, Buffer.from(changes.at(-1)!.payload).toString('utf8'));
    expect(changes.at(-1)!.destination).toBe('bulwark.policy.changed');
    expect(event).toMatchObject({ tenantId: 'acme', sidecarId: 'node-ev', policyId: 'default' });
    expect(event.detail.case).toBe('policyChange');
    if (event.detail.case !== 'policyChange') return;
    expect(event.detail.value.source).toBe(PolicySource.CONTROL_PLANE);
    expect(event.detail.value.newVersion).toBe(event.policyVersion);
    expect(event.detail.value.newVersion).not.toBe(event.detail.value.previousVersion);
  }, 60_000);
});
