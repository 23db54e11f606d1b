/**
 * Policy push and record shipping end to end, with real parts: a control plane (PGlite, or
 * PostgreSQL when DATABASE_URL is set) and three control-plane-managed sidecars (real worker
 * threads, real gRPC on 127.0.0.1), driven through the admin API like an operator would.
 *
 * One story, step by step (the steps share state and run in order):
 * change a policy → every sidecar ACKs and enforces it; a snapshot the sidecars cannot load
 * (an encryption key variable only the control plane has) → NACKed, the old policy keeps
 * working; the control plane stops → sidecars keep enforcing; a sidecar restarts meanwhile →
 * it enforces its persisted snapshot; a corrupted snapshot file → detected and ignored; the
 * control plane returns → everything converges, and every scan made during the outage is
 * recorded exactly once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetService } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { scanClient } from '../helpers/scan-client.js';
import { testClient } from './grpc-test-client.js';
import { ENGINE, eventually, healthOf, startManagedSidecar, startPushPlane, TempDirs, token, type PushPlane } from './push-fixture.js';

const KEY_ENV = 'BULWARK_PUSH_TEST_KEY';

const policy = (rules: string, extraSpec = '') => `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
${extraSpec}  customRules:
${rules}`;
const PURPLE = `    - id: no-purple-elephants\n      pattern: 'purple\\s+elephant'\n      action: BLOCK\n`;
const GIRAFFE = `    - id: no-green-giraffes\n      pattern: 'green\\s+giraffe'\n      action: BLOCK\n`;
const UNRELATED = `    - id: no-unicorns\n      phrases: ["rainbow unicorn"]\n      action: BLOCK\n`;

describe(`policy push and record shipping (${ENGINE})`, () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let adminToken: string;
  let sidecarToken: string;
  const nodes = ['node-a', 'node-b', 'node-c'];
  const dataDirs = new Map<string, string>();
  const sidecars = new Map<string, ConnectedSidecar>();
  /** Every scan the test made: the records the database must hold at the end. */
  let scansMade = 0;
  let policyVersion = 0;

  const admin = () => testClient(PolicyAdminService, cp.address);
  const fleet = async () => {
    const c = testClient(FleetService, cp.address);
    try {
      return (await c.call('listSidecars', {}, adminToken)).sidecars;
    } finally {
      c.close();
    }
  };
  const updatePolicy = async (yaml: string) => {
    const c = admin();
    try {
      const res = await c.call('updatePolicy', { policyId: 'default', yaml, expectedVersion: policyVersion }, adminToken);
      policyVersion = res.policy!.version;
      return `r${res.policy!.revision}`;
    } finally {
      c.close();
    }
  };
  const scan = async (node: string, content: string): Promise<Action> => {
    const client = scanClient(sidecars.get(node)!.address);
    try {
      const res = await client.scan({ tenantId: 'acme', content, agentId: 'agent-7' });
      scansMade++;
      return res.action;
    } finally {
      client.close();
    }
  };
  const ackedEverywhere = async (version: string, names = nodes) => {
    const list = await fleet();
    return names.every((n) => list.find((s) => s.nodeId === n)?.ackedPolicyVersion === version);
  };
  const start = async (node: string, initialPolicyTimeoutMs = 0) => {
    const dir = dataDirs.get(node) ?? dirs.make();
    dataDirs.set(node, dir);
    sidecars.set(node, await startManagedSidecar(cp.address, sidecarToken, dir, node, { initialPolicyTimeoutMs }));
  };
  const recordCount = async (): Promise<{ total: number; distinct: number }> => {
    const { rows } = await cp.db.db.query<{ total: unknown; distinct: unknown }>(
      `SELECT count(*) AS total, count(DISTINCT scan_id) AS distinct FROM scan_records WHERE tenant_id = 'acme'`,
    );
    return { total: Number(rows[0]?.total), distinct: Number(rows[0]?.distinct) };
  };

  beforeAll(async () => {
    cp = await startPushPlane({ [KEY_ENV]: randomBytes(32).toString('base64'), BULWARK_HASH_SALT: 'cp-salt' });
    await cp.plane.repositories.tenants.create({ tenantId: 'acme' });
    adminToken = await token(['admin']);
    sidecarToken = await token(['sidecar']);
    const c = admin();
    policyVersion = (await c.call('createPolicy', { policyId: 'default', yaml: policy(UNRELATED) }, adminToken)).policy!.version;
    c.close();
    for (const node of nodes) await start(node);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...sidecars.values()].map((s) => s.close(1000)));
    await cp?.dispose();
    dirs.removeAll();
  });

  it('sidecars get the first snapshot, ACK it, report SERVING and enforce it', async () => {
    const list = await (async () => {
      await eventually('first ACKs', async () => (await fleet()).filter((s) => s.ackedPolicyVersion.startsWith('r')).length === 3);
      return fleet();
    })();
    expect(list.map((s) => s.nodeId)).toEqual(nodes);
    expect(list.every((s) => s.connected && s.sidecarVersion === '0.1.0' && s.nackedPolicyVersion === '')).toBe(true);
    for (const node of nodes) {
      await eventually(`${node} SERVING`, async () => (await healthOf(sidecars.get(node)!.address)) === 'SERVING');
      expect(await scan(node, 'I saw a purple elephant')).toBe(Action.ALLOW);
      expect(await scan(node, 'a rainbow unicorn')).toBe(Action.BLOCK);
    }
  });

  it('a policy change through the admin API is ACKed and enforced by every sidecar', async () => {
    const version = await updatePolicy(policy(UNRELATED + PURPLE));
    const ms = await eventually('every sidecar ACKs the new version', () => ackedEverywhere(version));
    expect(ms).toBeLessThan(5000);
    for (const node of nodes) {
      expect(await scan(node, 'I saw a purple   elephant')).toBe(Action.BLOCK);
      expect(await scan(node, 'I saw a grey elephant, purple flowers')).toBe(Action.ALLOW); // trigger words, no match
      expect(sidecars.get(node)!.agent.enforcedVersions()).toEqual({ acme: version });
    }
  });

  it('a snapshot the sidecars cannot load is NACKed with the reason; the previous policy stays in force', async () => {
    const before = (await fleet())[0]!.ackedPolicyVersion;
    // Valid on the control plane (it has the key variable), not on the sidecars (they do not).
    const version = await updatePolicy(policy(UNRELATED + PURPLE + GIRAFFE, `  encryption:\n    keyEnv: ${KEY_ENV}\n`));
    await eventually('every sidecar NACKs', async () => (await fleet()).every((s) => s.nackedPolicyVersion === version));
    for (const s of await fleet()) {
      expect(s.ackedPolicyVersion).toBe(before);
      expect(s.nackError).toContain(KEY_ENV);
      expect(s.nackError).toContain('is not set');
    }
    for (const node of nodes) {
      expect(await scan(node, 'a green giraffe')).toBe(Action.ALLOW); // the rejected version's rule is not enforced
      expect(await scan(node, 'a purple elephant')).toBe(Action.BLOCK); // the acknowledged one still is
    }
  });

  it('with the control plane stopped, sidecars keep enforcing (and keep their records)', async () => {
    await cp.stop();
    for (const node of nodes) {
      expect(await scan(node, 'purple elephant during the outage')).toBe(Action.BLOCK);
      expect(await scan(node, 'ordinary text during the outage')).toBe(Action.ALLOW);
      expect(await healthOf(sidecars.get(node)!.address)).toBe('SERVING');
    }
    // The records of these scans cannot be shipped: they go to each sidecar's spill file.
    await eventually('records spilled to disk', () => [...sidecars.values()].every((s) => s.shipper.stats().spooledBytes > 0));
  });

  it('a sidecar restarted while the control plane is down enforces its persisted snapshot at once', async () => {
    await sidecars.get('node-a')!.close(1000);
    await start('node-a');
    expect(sidecars.get('node-a')!.shipper.stats().spooledBytes).toBeGreaterThan(0); // the previous run's records wait on disk
    expect(await healthOf(sidecars.get('node-a')!.address)).toBe('SERVING');
    expect(await scan('node-a', 'purple elephant after restart')).toBe(Action.BLOCK);
    expect(await scan('node-a', 'rainbow unicorn after restart')).toBe(Action.BLOCK);
    expect(await scan('node-a', 'plain text after restart')).toBe(Action.ALLOW);
  });

  it('a corrupted snapshot file is detected and ignored: default policy, NOT_SERVING', async () => {
    await sidecars.get('node-b')!.close(1000);
    const file = join(dataDirs.get('node-b')!, 'policy-snapshots', 'acme.json');
    const text = readFileSync(file, 'utf8');
    // One changed character inside the rule: still valid JSON, no longer the digested content.
    expect(text).toContain('purple');
    writeFileSync(file, text.replace('purple', 'purplE'));
    await start('node-b');
    expect(await healthOf(sidecars.get('node-b')!.address)).toBe('NOT_SERVING');
    expect(await scan('node-b', 'purple elephant with a corrupted file')).toBe(Action.ALLOW);
    expect(await scan('node-b', 'purplE elephant with a corrupted file')).toBe(Action.ALLOW);
    expect(sidecars.get('node-b')!.agent.enforcedVersions()).toEqual({});
  });

  it('when the control plane returns, everything converges on the latest policy', async () => {
    await cp.restart();
    const fixed = await updatePolicy(policy(UNRELATED + PURPLE + GIRAFFE));
    await eventually('every sidecar ACKs the fixed version', () => ackedEverywhere(fixed), 15_000);
    for (const node of nodes) {
      await eventually(`${node} SERVING`, async () => (await healthOf(sidecars.get(node)!.address)) === 'SERVING');
      expect(await scan(node, 'a green giraffe')).toBe(Action.BLOCK);
      expect(await scan(node, 'a purple elephant')).toBe(Action.BLOCK);
      expect(await scan(node, 'a green meadow')).toBe(Action.ALLOW);
    }
    const list = await fleet();
    expect(list.every((s) => s.connected && s.ackedPolicyVersion === fixed)).toBe(true);
  });

  it('every scan is recorded exactly once, outage included, without content', async () => {
    await eventually(
      `${scansMade} records`,
      async () => (await recordCount()).total >= scansMade,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // late duplicates would show up now
    expect(await recordCount()).toEqual({ total: scansMade, distinct: scansMade });
    const { rows } = await cp.db.db.query<Record<string, unknown>>(
      `SELECT sidecar_id, agent_id, content_hash, content_length, policy_version, action FROM scan_records WHERE tenant_id = 'acme'`,
    );
    expect(new Set(rows.map((r) => r.sidecar_id))).toEqual(new Set(nodes));
    expect(rows.every((r) => r.agent_id === 'agent-7' && /^hmac-sha256:[0-9a-f]{64}$/.test(String(r.content_hash)))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('elephant');
    const spills = [...sidecars.values()].map((s) => s.shipper.stats());
    expect(spills.every((s) => s.buffered === 0 && s.spooledBytes === 0 && s.dropped === 0)).toBe(true);
  });
});
