/**
 * RecordShipper against a real control plane: a batch with one record the token may not
 * ingest is split until that record is isolated (the others arrive, one is dropped), and
 * records pushed while the control plane is down are spilled and delivered after it returns.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneChannel } from '../../src/sidecar/control-plane-channel.js';
import { RecordShipper } from '../../src/sidecar/record-shipper.js';
import type { ScanRecordData } from '../../src/store/record-types.js';
import { eventually, silent, startPushPlane, TempDirs, token, type PushPlane } from '../control/push-fixture.js';

const record = (tenantId = 'acme'): ScanRecordData => ({
  scanId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), direction: 'INPUT', action: 'ALLOW', requestId: 'r', agentId: 'a',
  sidecarId: 'shipper-test', policyId: 'default', policyVersion: 'v', contentHash: 'hmac-sha256:00', contentLength: 3, entityCounts: {}, threats: [], latencyMs: 1,
});

describe('record shipper', () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let channel: ControlPlaneChannel;
  const count = async () => Number((await cp.db.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM scan_records WHERE sidecar_id = 'shipper-test'`)).rows[0]?.n);

  beforeAll(async () => {
    cp = await startPushPlane();
    await cp.plane.repositories.tenants.create({ tenantId: 'acme' });
    await cp.plane.repositories.tenants.create({ tenantId: 'globex' });
    channel = new ControlPlaneChannel({ address: cp.address, token: await token(['sidecar']), maxBackoffMs: 300 }, silent);
  }, 60_000);
  afterAll(async () => {
    channel?.close();
    await cp?.dispose();
    dirs.removeAll();
  });

  it('isolates and drops a refused record; the rest of its batch arrives', async () => {
    const shipper = new RecordShipper({ channel, spoolDir: dirs.make(), logger: silent, flushIntervalMs: 20 });
    shipper.start();
    for (let i = 0; i < 20; i++) shipper.push(record(i === 13 ? 'globex' : 'acme'));
    await eventually('19 records stored', async () => (await count()) === 19);
    await eventually('the last answer processed', () => shipper.stats().shipped === 19);
    expect(shipper.stats()).toMatchObject({ shipped: 19, dropped: 1, buffered: 0, spooledBytes: 0 });
    await shipper.close();
  });

  it('spills while the control plane is down and delivers everything when it is back', async () => {
    const before = await count();
    const shipper = new RecordShipper({ channel, spoolDir: dirs.make(), logger: silent, flushIntervalMs: 20, backoffBaseMs: 20, backoffMaxMs: 200 });
    shipper.start();
    await cp.stop();
    for (let i = 0; i < 1200; i++) shipper.push(record());
    await eventually('records spilled', () => shipper.stats().spooledBytes > 0 && shipper.stats().buffered === 0);
    await cp.restart();
    await eventually('all delivered', async () => (await count()) === before + 1200, 20_000);
    await eventually('the last answer processed', () => shipper.stats().spooledBytes === 0);
    expect(await count()).toBe(before + 1200);
    expect(shipper.stats()).toMatchObject({ shipped: 1200, dropped: 0, spooledBytes: 0 });
    await shipper.close();
  });
});
