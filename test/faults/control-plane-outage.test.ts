/**
 * Fault: the control plane stops in the MIDDLE of a burst of Scan, StreamScan and CheckAction
 * calls on a managed sidecar, and returns later.
 *
 * test/control/policy-push.test.ts already walks the outage step by step between calls
 * (snapshots kept, spill file, a restart during the outage, convergence). This file adds the
 * concurrency: the stop lands while record batches are being sent and calls are in flight.
 * Checked: every caller gets its normal decision during the outage (the control plane is
 * never on the request path), the sidecar stays SERVING on its last snapshot, the records of
 * every scan and stream, before, during and after the outage, are stored exactly once after
 * the return, and a policy pushed after the return is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { actionRequest, createAgentActionClient, type AgentActionClient } from '../../src/agents/action-client.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { testClient } from '../control/grpc-test-client.js';
import { ENGINE, eventually, healthOf, startManagedSidecar, startPushPlane, TempDirs, token, type PushPlane } from '../control/push-fixture.js';
import { runStream, scanClient, type ScanClient } from '../helpers/scan-client.js';
import { settle } from './fault-helpers.js';

const NODE = 'cp-outage-node';
const policy = (rules: string) => `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  timeBudgetMs: 30000
  agents:
    - id: data_processor
      owner: data-team@acme.example
      allowedActions: [TOOL_CALL]
  actionRules:
    - id: search-ok
      appliesTo: [TOOL_CALL]
      target: search_docs
      decision: ALLOW
  customRules:
${rules}`;
const rule = (id: string, phrase: string) => `    - id: ${id}\n      phrases: ["${phrase}"]\n      action: BLOCK\n`;
const KITE = rule('no-crimson-kites', 'crimson kite');
const OTTER = rule('no-blue-otters', 'blue otter');

describe(`fault: the control plane stops mid-burst and returns (${ENGINE})`, { timeout: 90_000 }, () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let sidecar: ConnectedSidecar;
  let scans: ScanClient;
  let actions: AgentActionClient;
  let adminToken: string;
  let policyVersion = 0;
  /** Scan ids of every scan and stream answered: the records the store must hold. */
  const answered = new Set<string>();

  const admin = async <T>(fn: (c: ReturnType<typeof testClient<typeof PolicyAdminService>>) => Promise<T>) => {
    const c = testClient(PolicyAdminService, cp.address);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  };
  /** One call of the mix; resolves to the decision the caller got (throws on failure). */
  const call = async (i: number): Promise<Action | string> => {
    if (i % 3 === 0) {
      const res = await scans.scan({ tenantId: 'acme', content: i % 6 === 0 ? `a crimson kite, ${i}` : `question ${i}` }, { deadlineMs: 30_000 });
      answered.add(res.scanId);
      return res.action;
    }
    if (i % 3 === 1) {
      const res = await runStream(scans.streamScan({ deadlineMs: 30_000 }), [
        { streamId: `s${i}`, tenantId: 'acme', content: `answer ${i} in ` },
        { streamId: `s${i}`, content: 'two parts.', endOfStream: true },
      ]);
      if (res.some((r) => r.error)) throw new Error(`stream ${i} failed: ${res.find((r) => r.error)?.error?.message}`);
      answered.add(res[0]!.scanId);
      return res.at(-1)!.action;
    }
    const decision = await actions.checkAction(actionRequest({ tenantId: 'acme', agentId: 'data_processor', actionType: 'TOOL_CALL', target: 'search_docs' }));
    return decision.decision;
  };
  const expected = (i: number) => (i % 3 === 2 ? 'ALLOW' : i % 6 === 0 ? Action.BLOCK : Action.ALLOW);
  const stored = async () => {
    const { rows } = await cp.db.db.query<{ total: unknown; distinct: unknown }>(
      `SELECT count(*) AS total, count(DISTINCT scan_id) AS distinct FROM scan_records WHERE sidecar_id = $1`,
      [NODE],
    );
    return { total: Number(rows[0]?.total), distinct: Number(rows[0]?.distinct) };
  };

  beforeAll(async () => {
    cp = await startPushPlane({ BULWARK_HASH_SALT: 'cp-outage-salt' });
    await cp.plane.repositories.tenants.create({ tenantId: 'acme' });
    adminToken = await token(['admin']);
    policyVersion = (await admin((c) => c.call('createPolicy', { policyId: 'default', yaml: policy(KITE) }, adminToken))).policy!.version;
    sidecar = await startManagedSidecar(cp.address, await token(['sidecar']), dirs.make(), NODE, { records: { flushIntervalMs: 20, batchSize: 10, backoffBaseMs: 50, backoffMaxMs: 400 } });
    scans = scanClient(sidecar.address);
    actions = createAgentActionClient(sidecar.address, { deadlineMs: 30_000 });
    await eventually('the first snapshot is enforced', () => sidecar.agent.enforcedVersions().acme !== undefined, 20_000);
  }, 120_000);

  afterAll(async () => {
    scans?.close();
    actions?.close();
    await sidecar?.close(1000);
    await cp?.dispose();
    dirs.removeAll();
  });

  it('callers notice nothing while the control plane goes away under load; records spill', async () => {
    let i = 0;
    let stopping: Promise<void> | undefined;
    // 6 concurrent callers; the stop is triggered from inside the burst, after 30 calls.
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const mine: { i: number; outcome: Awaited<ReturnType<typeof settle<Action | string>>> }[] = [];
        while (i < 120) {
          const n = i++;
          if (n === 30) stopping = cp.stop();
          mine.push({ i: n, outcome: await settle(call(n)) });
        }
        return mine;
      }),
    );
    await stopping;
    for (const { i: n, outcome } of outcomes.flat()) expect(outcome, `call ${n}`).toEqual({ ok: true, value: expected(n) });
    expect(await healthOf(sidecar.address)).toBe('SERVING');
    await eventually('records waiting on disk', () => sidecar.shipper.stats().spooledBytes > 0, 15_000);
    expect(sidecar.shipper.stats().dropped).toBe(0);
  });

  it('returns: every record of the burst is stored once, and a policy pushed after the return is applied', async () => {
    await cp.restart();
    const res = await admin((c) => c.call('updatePolicy', { policyId: 'default', yaml: policy(KITE + OTTER), expectedVersion: policyVersion }, adminToken));
    const version = `r${res.policy!.revision}`;
    await eventually('the sidecar applies the new policy', () => sidecar.agent.enforcedVersions().acme === version, 20_000);
    const after = await scans.scan({ tenantId: 'acme', content: 'a blue otter' }, { deadlineMs: 30_000 });
    expect(after.action).toBe(Action.BLOCK);
    answered.add(after.scanId);

    await eventually(`${answered.size} records stored`, async () => (await stored()).total >= answered.size, 30_000);
    await eventually('the spill file is drained', () => sidecar.shipper.stats().spooledBytes === 0 && sidecar.shipper.stats().buffered === 0);
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show now
    expect(await stored()).toEqual({ total: answered.size, distinct: answered.size });
    expect(sidecar.shipper.stats()).toMatchObject({ dropped: 0 });
  });
});
