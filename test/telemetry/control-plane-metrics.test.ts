/**
 * The control plane's /metrics, next to a sidecar in the same process: separate registries,
 * RPCs counted by method and code through the gRPC interceptor.
 */
import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { mintHs256Token } from '../../src/control/auth/mint-token.js';
import { controlOptions } from '../../src/cli/control-command.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import type { Database } from '../../src/store/database.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { codeOf, testClient } from '../control/grpc-test-client.js';
import { silentLogger, startTestSidecar } from '../sidecar/sidecar-fixture.js';
import { scrape, valueOf } from './prometheus-text.js';

describe('control plane /metrics (next to a sidecar in the same process)', () => {
  let db: Database;
  let plane: ControlPlane;
  let sidecar: RunningSidecar;
  const secret = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await openPgliteDatabase('memory://');
    const auth = { hmacSecret: hmacSecretFrom(secret), clockToleranceSeconds: 60 };
    plane = await startControlPlane({ listen: '127.0.0.1:0', database: db, auth, logger: silentLogger, retentionIntervalMs: 0, metricsListen: '127.0.0.1:0' });
    sidecar = await startTestSidecar({ workers: 1, metricsListen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await sidecar?.close(1_000);
    await plane?.close(1_000);
    await db?.close();
  });

  it('bulwark control takes --metrics-listen too', () => {
    const env = { BULWARK_JWT_SECRET: randomBytes(32).toString('base64'), BULWARK_DATA_DIR: '/tmp/unused' };
    expect(controlOptions([], env)).toMatchObject({ metricsListen: '127.0.0.1:9464' });
    expect(controlOptions(['--metrics-listen', 'off'], env)).toMatchObject({ metricsListen: 'off' });
  });

  it('counts RPCs over gRPC and Connect by method and code, with latency for unary calls; connected sidecars', async () => {
    const tenants = testClient(TenantService, plane.address);
    try {
      const token = await mintHs256Token({ secret: hmacSecretFrom(secret), roles: ['platform-admin'], subject: 'tester', ttlSeconds: 600 });
      expect(await codeOf(tenants.call('listTenants', {}, token))).toBe('ok');
      expect(await codeOf(tenants.call('listTenants', {}))).toBe(status.UNAUTHENTICATED);
      // The same RPC over Connect JSON (HTTP/1.1 on the same port) is counted the same way.
      const connect = await fetch(`http://${plane.address}/bulwark.v1.TenantService/ListTenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{}',
      });
      expect(connect.status).toBe(200);
      await connect.text();
    } finally {
      tenants.close();
    }
    const { samples, text } = await scrape(plane.metrics!.address!);
    const method = 'bulwark.v1.TenantService/ListTenants';
    expect(valueOf(samples, 'bulwark_control_rpc_requests_total', { method, code: 'OK' })).toBe(2);
    expect(valueOf(samples, 'bulwark_control_rpc_requests_total', { method, code: 'UNAUTHENTICATED' })).toBe(1);
    expect(valueOf(samples, 'bulwark_control_rpc_duration_seconds_count', { method })).toBe(3);
    expect(valueOf(samples, 'bulwark_control_connected_sidecars')).toBe(0);
    expect(text).toContain('# TYPE bulwark_control_policy_snapshots_pushed_total counter');
    // Separate registries: the sidecar's scrape has no control-plane series and vice versa.
    expect(text).not.toContain('bulwark_scans_total');
    expect((await scrape(sidecar.metrics!.address!)).text).not.toContain('bulwark_control_rpc_requests_total');
  });
});
