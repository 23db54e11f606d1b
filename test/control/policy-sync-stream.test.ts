/**
 * PolicySyncService.StreamPolicies over real gRPC, with bare stream clients: who may
 * subscribe to what, what a snapshot holds, when new ones are sent (changes, rule edits,
 * deletes, another replica's writes), how ACK/NACK/disconnect reach the fleet, and that a
 * shutdown ends streams promptly with UNAVAILABLE.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetService } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { GuardrailRuleKind, GuardrailRuleService } from '../../gen/bulwark/v1/guardrail_rule_service_pb.js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { startControlPlane } from '../../src/control/start-control-plane.js';
import { snapshotDigest } from '../../src/policy/policy-snapshot.js';
import { openPolicyStream, type PolicyStream } from '../helpers/policy-stream-client.js';
import { startFixture, TEST_SECRET, type Fixture } from './control-plane-fixture.js';
import { eventually, silent } from './push-fixture.js';

const YAML = (budget: number, name = 'main') => `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n  timeBudgetMs: ${budget}\n`;

describe('PolicySyncService.StreamPolicies', () => {
  let f: Fixture;
  const streams: PolicyStream[] = [];
  const open = (...args: Parameters<typeof openPolicyStream>) => {
    const s = openPolicyStream(...args);
    streams.push(s);
    return s;
  };
  let editor: string;
  let sidecar: string;

  beforeAll(async () => {
    f = await startFixture();
    for (const t of ['acme', 'globex']) await f.plane.repositories.tenants.create({ tenantId: t });
    editor = await f.token(['editor']);
    sidecar = await f.token(['sidecar']);
    await f.client(PolicyAdminService).call('createPolicy', { policyId: 'main', yaml: YAML(30) }, editor);
  }, 60_000);
  afterAll(async () => {
    streams.forEach((s) => s.close());
    await f?.close();
  });

  describe('who may subscribe', () => {
    it('no token is UNAUTHENTICATED; viewer, editor and admin tokens are PERMISSION_DENIED', async () => {
      expect((await open(f.plane.address).ended).code).toBe(status.UNAUTHENTICATED);
      for (const role of ['viewer', 'editor', 'admin']) {
        expect((await open(f.plane.address, { token: await f.token([role]) }).ended).code).toBe(status.PERMISSION_DENIED);
      }
    });

    it("a sidecar token gets its tenant, not another's unless its tenants claim names it", async () => {
      const denied = await open(f.plane.address, { token: sidecar, tenants: ['acme', 'globex'] }).ended;
      expect(denied).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringContaining('globex') });
      const both = open(f.plane.address, { token: await f.token(['sidecar'], 'acme', { tenants: ['globex'] }), tenants: ['acme', 'globex'], nodeId: 'two-tenants' });
      const globex = await both.next((s) => s.tenantId === 'globex');
      expect(globex.policies).toEqual([]); // no policies: the built-in default
      expect((await both.next((s) => s.tenantId === 'acme')).policies.map((p) => p.policyId)).toEqual(['main']);
    });

    it('an unregistered tenant is FAILED_PRECONDITION; malformed subscriptions are INVALID_ARGUMENT', async () => {
      const ghost = await f.token(['sidecar'], 'acme', { tenants: ['ghost'] });
      expect((await open(f.plane.address, { token: ghost, tenants: ['ghost'] }).ended).code).toBe(status.FAILED_PRECONDITION);
      expect((await open(f.plane.address, { token: sidecar, tenants: [] }).ended).code).toBe(status.INVALID_ARGUMENT);
      expect((await open(f.plane.address, { token: sidecar, nodeId: 'has space' }).ended).code).toBe(status.INVALID_ARGUMENT);
      const ackFirst = open(f.plane.address, { token: sidecar, noSubscribe: true });
      ackFirst.send({ case: 'ack', value: { tenantId: 'acme', version: 'r1', error: '' } });
      expect((await ackFirst.ended).code).toBe(status.INVALID_ARGUMENT);
    });
  });

  describe('snapshots', () => {
    it('the first is the current set, with a verifiable content digest', async () => {
      const s = await open(f.plane.address, { token: sidecar }).next();
      expect(s.tenantId).toBe('acme');
      expect(s.version).toBe(`r${s.revision}`);
      expect(s.policies).toHaveLength(1);
      expect(s.policies[0]).toMatchObject({ policyId: 'main', version: 1, compiledVersion: expect.stringMatching(/^sha256:/) });
      expect(s.policies[0]!.effectiveYaml).toContain('tenant: acme');
      expect(s.contentDigest).toBe(snapshotDigest('acme', s.policies));
    });

    it('policy and rule changes each bring a new full snapshot; quick successive writes are coalesced', async () => {
      const stream = open(f.plane.address, { token: sidecar });
      const first = await stream.next();
      const admin = f.client(PolicyAdminService);
      const updated = (await admin.call('updatePolicy', { policyId: 'main', yaml: YAML(31), expectedVersion: 1 }, editor)).policy!;
      const second = await stream.next((s) => s.revision === updated.revision);
      expect(second.policies[0]!.effectiveYaml).toContain('timeBudgetMs: 31');
      const rule = { policyId: 'main', ruleId: 'deny-x', kind: GuardrailRuleKind.DENY_PATTERN, pattern: 'forbidden\\s+thing', action: Action.BLOCK };
      const rules = f.client(GuardrailRuleService);
      await rules.call('createGuardrailRule', { rule }, editor);
      const other = (await admin.call('createPolicy', { policyId: 'second', yaml: YAML(40, 'second') }, editor)).policy!;
      const last = await stream.next((s) => s.revision === other.revision);
      expect(last.policies.map((p) => p.policyId)).toEqual(['main', 'second']);
      expect(last.policies[0]!.effectiveYaml).toContain('deny-x');
      const after = stream.snapshots.filter((s) => s.revision > first.revision);
      expect(after.length).toBeLessThanOrEqual(3); // 3 writes; usually the last two arrive as one
      expect(after.map((s) => s.revision)).toEqual([...after.map((s) => s.revision)].sort((a, b) => Number(a - b)));
    });

    it('a deleted policy disappears from the next snapshot', async () => {
      const stream = open(f.plane.address, { token: sidecar });
      await stream.next();
      const tomb = (await f.client(PolicyAdminService).call('deletePolicy', { policyId: 'second' }, await f.token(['admin']))).policy!;
      const s = await stream.next((x) => x.revision === tomb.revision);
      expect(s.policies.map((p) => p.policyId)).toEqual(['main']);
    });

    it("another replica's write reaches streams on this one through NOTIFY (polling off)", async () => {
      const replica = await startControlPlane({
        listen: '127.0.0.1:0',
        database: f.db,
        auth: { hmacSecret: hmacSecretFrom(TEST_SECRET), clockToleranceSeconds: 60 },
        logger: silent,
        retentionIntervalMs: 0,
        migrate: false,
        policyEnv: { BULWARK_HASH_SALT: 'fixture-salt' },
        policySync: { pollIntervalMs: 0 },
      });
      try {
        const stream = open(replica.address, { token: sidecar });
        const before = await stream.next();
        const admin = f.client(PolicyAdminService); // writes go to the first control plane
        const current = (await admin.call('getPolicy', { policyId: 'main' }, editor)).policy!;
        const updated = (await admin.call('updatePolicy', { policyId: 'main', yaml: YAML(45), expectedVersion: current.version }, editor)).policy!;
        const started = performance.now();
        const s = await stream.next((x) => x.revision === updated.revision, 3000);
        expect(performance.now() - started).toBeLessThan(1000);
        expect(s.revision).toBeGreaterThan(before.revision);
      } finally {
        await replica.close(500);
      }
    });
  });

  describe('the fleet', () => {
    it('records ACK and NACK per version, and the disconnect', async () => {
      const stream = open(f.plane.address, { token: sidecar, nodeId: 'fleet-node' });
      const s = await stream.next();
      const admin = await f.token(['admin']);
      const row = async () => (await f.client(FleetService).call('listSidecars', {}, admin)).sidecars.find((x) => x.nodeId === 'fleet-node');
      stream.ack(s, 'spec.encryption.keyEnv: environment variable K is not set');
      await eventually('NACK recorded', async () => (await row())?.nackedPolicyVersion === s.version);
      expect(await row()).toMatchObject({ connected: true, ackedPolicyVersion: '', nackError: expect.stringContaining('K is not set'), sidecarVersion: 'test' });
      stream.ack(s);
      await eventually('ACK recorded', async () => (await row())?.ackedPolicyVersion === s.version);
      stream.close();
      await eventually('disconnect recorded', async () => (await row())?.connected === false);
      expect((await f.client(FleetService).call('listSidecars', { connectedOnly: true }, admin)).sidecars.map((x) => x.nodeId)).not.toContain('fleet-node');
    });

    it('an ACK for a tenant the stream did not subscribe to ends the call', async () => {
      const stream = open(f.plane.address, { token: sidecar });
      await stream.next();
      stream.send({ case: 'ack', value: { tenantId: 'globex', version: 'r1', error: '' } });
      expect((await stream.ended).code).toBe(status.INVALID_ARGUMENT);
    });
  });

  it('shutdown ends open streams at once with UNAVAILABLE', async () => {
    const plane = await f.startAnother({ hmacSecret: hmacSecretFrom(TEST_SECRET), clockToleranceSeconds: 60 });
    const stream = open(plane.address, { token: sidecar });
    await stream.next();
    const started = performance.now();
    await plane.close(5000);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await stream.ended).code).toBe(status.UNAVAILABLE);
  });
});
