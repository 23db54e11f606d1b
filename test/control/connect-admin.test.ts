/**
 * The admin API over the Connect protocol on the gRPC port: real HTTP/1.1 requests (fetch)
 * against a real control plane (PGlite). JSON and binary bodies, the same authentication,
 * permissions and tenant scoping as gRPC, and Connect's error codes with their HTTP statuses.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListPoliciesRequestSchema, ListPoliciesResponseSchema } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { startFixture, type Fixture } from './control-plane-fixture.js';

const POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  name: main
spec:
  timeBudgetMs: 40
`;

interface ConnectReply {
  status: number;
  body: Record<string, unknown>;
}

describe('admin API over Connect (HTTP/1.1, same port as gRPC)', () => {
  let f: Fixture;
  let base: string;
  let editor: string;
  let viewer: string;

  /** POST a Connect JSON unary call. */
  async function call(path: string, body: unknown, token?: string): Promise<ConnectReply> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${base}/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    f = await startFixture();
    base = `http://${f.plane.address}`;
    const platform = await f.token(['platform-admin'], null);
    await f.client(TenantService).call('createTenant', { tenantId: 'acme' }, platform);
    await f.client(TenantService).call('createTenant', { tenantId: 'globex' }, platform);
    editor = await f.token(['editor'], 'acme');
    viewer = await f.token(['viewer'], 'acme');
  }, 60_000);
  afterAll(async () => f?.close());

  it('creates and lists policies with JSON bodies', async () => {
    const created = await call('bulwark.v1.PolicyAdminService/CreatePolicy', { policyId: 'main', yaml: POLICY }, editor);
    expect(created.status).toBe(200);
    expect(created.body.policy).toMatchObject({ policyId: 'main', tenantId: 'acme', version: 1, deleted: false });
    const list = await call('bulwark.v1.PolicyAdminService/ListPolicies', {}, viewer);
    expect(list.status).toBe(200);
    expect((list.body.policies as { policyId: string }[]).map((p) => p.policyId)).toEqual(['main']);
  });

  it('answers binary (application/proto) requests too', async () => {
    const res = await fetch(`${base}/bulwark.v1.PolicyAdminService/ListPolicies`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', authorization: `Bearer ${viewer}` },
      body: toBinary(ListPoliciesRequestSchema, create(ListPoliciesRequestSchema, { pageSize: 10 })),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/proto');
    const reply = fromBinary(ListPoliciesResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(reply.policies.map((p) => p.policyId)).toEqual(['main']);
  });

  it('answers an undecodable binary request with invalid_argument (400), not internal', async () => {
    const res = await fetch(`${base}/bulwark.v1.PolicyAdminService/ListPolicies`, {
      method: 'POST',
      headers: { 'content-type': 'application/proto', authorization: `Bearer ${viewer}` },
      // Field 1 claims a 100-byte string, then the bytes end: truncated.
      body: new Uint8Array([0x0a, 0x64, 0x61]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_argument');
  });

  it('scopes every call to the token tenant', async () => {
    const globex = await f.token(['viewer'], 'globex');
    const list = await call('bulwark.v1.PolicyAdminService/ListPolicies', {}, globex);
    expect(list.status).toBe(200);
    expect(list.body.policies).toEqual([]);
    const get = await call('bulwark.v1.PolicyAdminService/GetPolicy', { policyId: 'main' }, globex);
    expect(get).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('maps failures to Connect codes', async () => {
    const path = 'bulwark.v1.PolicyAdminService/ListPolicies';
    expect(await call(path, {})).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect(await call(path, {}, 'not-a-jwt')).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    const expired = await f.token(['viewer'], 'acme', { ttlSeconds: -3600 });
    expect(await call(path, {}, expired)).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    const sidecar = await f.token(['sidecar'], 'acme');
    expect(await call(path, {}, sidecar)).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    const del = await call('bulwark.v1.PolicyAdminService/DeletePolicy', { policyId: 'main', expectedVersion: 1 }, editor);
    expect(del).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    const bad = await call('bulwark.v1.PolicyAdminService/GetPolicy', { policyId: 'has spaces' }, viewer);
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_argument' } });
    const invalid = await call('bulwark.v1.PolicyAdminService/CreatePolicy', { policyId: 'x', yaml: 'kind: Nope' }, editor);
    expect(invalid).toMatchObject({ status: 400, body: { code: 'invalid_argument' } });
    const stale = await call('bulwark.v1.PolicyAdminService/UpdatePolicy', { policyId: 'main', yaml: POLICY, expectedVersion: 99 }, editor);
    expect(stale).toMatchObject({ status: 409, body: { code: 'aborted' } });
  });

  it('serves the platform services with the platform role only', async () => {
    const platform = await f.token(['platform-admin'], null);
    const tenants = await call('bulwark.v1.TenantService/ListTenants', {}, platform);
    expect(tenants.status).toBe(200);
    expect((tenants.body.tenants as { tenantId: string }[]).map((t) => t.tenantId)).toContain('acme');
    const admin = await f.token(['admin'], 'acme');
    expect(await call('bulwark.v1.TenantService/ListTenants', {}, admin)).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
  });

  it('keeps gRPC working on the same port', async () => {
    const list = await f.client(TenantService).call('listTenants', {}, await f.token(['platform-admin'], null));
    expect(list.tenants.length).toBeGreaterThanOrEqual(2);
  });
});
