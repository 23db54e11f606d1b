/**
 * The control plane's gRPC RPCs as server spans (in-memory exporter): the status is the one
 * the caller gets, after the store's and auth errors are mapped (ALREADY_EXISTS, UNAUTHENTICATED).
 */
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { startTracing, type RunningTracing } from '../../src/telemetry/tracing/start-tracing.js';
import { startFixture, type Fixture } from '../control/control-plane-fixture.js';

const TRACE_ID = '1af7651916cd43dd8448eb211c80319d';
const PARENT_ID = 'c7ad6b7169203332';
const exporter = new InMemorySpanExporter();
let tracing: RunningTracing;
let f: Fixture;

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'bulwark-control-plane', exporter });
  f = await startFixture();
}, 60_000);

afterAll(async () => {
  await f?.close();
  await tracing.shutdown();
});

function spansOf(method: string) {
  return exporter.getFinishedSpans().filter((s) => s.name === `bulwark.v1.TenantService/${method}`);
}

describe('control-plane spans', () => {
  it('one server span per RPC, with the mapped gRPC status', async () => {
    const platform = await f.token(['platform-admin'], null);
    const tenants = f.client(TenantService);
    await tenants.call('createTenant', { tenantId: 'acme' }, platform);
    await expect(tenants.call('createTenant', { tenantId: 'acme' }, platform)).rejects.toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    await expect(tenants.call('listTenants', {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });

    const [created, duplicate] = spansOf('CreateTenant');
    expect(created?.kind).toBe(SpanKind.SERVER);
    expect(created?.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'bulwark.v1.TenantService', 'rpc.method': 'CreateTenant', 'rpc.grpc.status_code': 0 });
    expect(duplicate?.attributes['rpc.grpc.status_code']).toBe(grpc.status.ALREADY_EXISTS);
    expect(duplicate?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spansOf('ListTenants')[0]?.attributes['rpc.grpc.status_code']).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('Connect calls too, as children of the caller\'s traceparent', async () => {
    const platform = await f.token(['platform-admin'], null);
    const response = await fetch(`http://${f.plane.address}/bulwark.v1.TenantService/ListTenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform}`, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
      body: '{}',
    });
    expect(response.status).toBe(200);
    const span = spansOf('ListTenants').find((s) => s.spanContext().traceId === TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span?.attributes['rpc.system']).toBe('connect_rpc');
  });
});
