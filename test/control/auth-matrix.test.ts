/**
 * Authentication and authorisation over a real gRPC server: every role × every RPC, and the
 * token failure modes (expired, clock skew, wrong signature, no tenant, no expiry, wrong
 * algorithm), for HS256 and for RS256/ES256 keys from a JWKS file and a JWKS URL.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetService } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { GuardrailRuleKind, GuardrailRuleService } from '../../gen/bulwark/v1/guardrail_rule_service_pb.js';
import { MetricsService } from '../../gen/bulwark/v1/metrics_service_pb.js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { RecordIngestService } from '../../gen/bulwark/v1/record_ingest_service_pb.js';
import { RecordService } from '../../gen/bulwark/v1/record_service_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { authConfigFromEnv, hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { mintHs256Token } from '../../src/control/auth/mint-token.js';
import { ROLES, RPC_PERMISSIONS, type Role } from '../../src/control/auth/roles.js';
import { testClient, codeOf, type TestClient } from './grpc-test-client.js';
import { startFixture, TEST_SECRET, type Fixture } from './control-plane-fixture.js';

const SERVICES: DescService[] = [PolicyAdminService, GuardrailRuleService, RecordService, RecordIngestService, MetricsService, FleetService, TenantService];

const YAML = (name: string) => `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n  timeBudgetMs: 30\n`;

/** The specification, written independently of src/control/auth/roles.ts. */
const ALLOWED: Record<string, Role[]> = {
  'PolicyAdminService/CreatePolicy': ['editor', 'admin'],
  'PolicyAdminService/GetPolicy': ['viewer', 'editor', 'admin'],
  'PolicyAdminService/ListPolicies': ['viewer', 'editor', 'admin'],
  'PolicyAdminService/UpdatePolicy': ['editor', 'admin'],
  'PolicyAdminService/DeletePolicy': ['admin'],
  'PolicyAdminService/ValidatePolicy': ['viewer', 'editor', 'admin'],
  'PolicyAdminService/ListPolicyVersions': ['viewer', 'editor', 'admin'],
  'GuardrailRuleService/CreateGuardrailRule': ['editor', 'admin'],
  'GuardrailRuleService/GetGuardrailRule': ['viewer', 'editor', 'admin'],
  'GuardrailRuleService/ListGuardrailRules': ['viewer', 'editor', 'admin'],
  'GuardrailRuleService/UpdateGuardrailRule': ['editor', 'admin'],
  'GuardrailRuleService/DeleteGuardrailRule': ['admin'],
  'RecordService/ListScanRecords': ['viewer', 'editor', 'admin'],
  'RecordService/ListThreatDetections': ['viewer', 'editor', 'admin'],
  'RecordService/ListAuditCheckpoints': ['viewer', 'editor', 'admin'],
  'MetricsService/GetTenantMetrics': ['viewer', 'editor', 'admin'],
  'FleetService/ListSidecars': ['admin'],
  'RecordIngestService/IngestScanRecords': ['admin', 'sidecar'],
  'RecordIngestService/IngestAuditCheckpoints': ['admin', 'sidecar'],
  'TenantService/CreateTenant': ['platform-admin'],
  'TenantService/GetTenant': ['platform-admin'],
  'TenantService/ListTenants': ['platform-admin'],
  'TenantService/UpdateTenant': ['platform-admin'],
};

/** A request per RPC that an allowed caller can make (the outcome may be NOT_FOUND etc.). */
function requestFor(rpc: string, role: Role): Record<string, unknown> {
  const rule = { policyId: 'base', ruleId: `r-${role}`, kind: GuardrailRuleKind.DENY_PATTERN, pattern: 'forbidden', action: Action.BLOCK };
  const requests: Record<string, Record<string, unknown>> = {
    'PolicyAdminService/CreatePolicy': { policyId: `p-${role}`, yaml: YAML(`p-${role}`) },
    'PolicyAdminService/GetPolicy': { policyId: 'base' },
    'PolicyAdminService/UpdatePolicy': { policyId: 'base', yaml: YAML('base'), expectedVersion: 999 },
    'PolicyAdminService/DeletePolicy': { policyId: 'missing' },
    'PolicyAdminService/ValidatePolicy': { policyId: 'x', yaml: YAML('x') },
    'PolicyAdminService/ListPolicyVersions': { policyId: 'base' },
    'GuardrailRuleService/CreateGuardrailRule': { rule },
    'GuardrailRuleService/GetGuardrailRule': { policyId: 'base', ruleId: 'missing' },
    'GuardrailRuleService/ListGuardrailRules': { policyId: 'base' },
    'GuardrailRuleService/UpdateGuardrailRule': { rule: { ...rule, ruleId: 'missing' } },
    'GuardrailRuleService/DeleteGuardrailRule': { policyId: 'base', ruleId: 'missing' },
    'TenantService/CreateTenant': { tenantId: `t-${role}` },
    'TenantService/GetTenant': { tenantId: 'acme' },
    'TenantService/UpdateTenant': { tenantId: 'acme', retentionDays: 30 },
  };
  return requests[rpc] ?? {};
}

describe('auth matrix over gRPC', () => {
  let f: Fixture;
  const clients = new Map<string, TestClient<DescService>>();

  beforeAll(async () => {
    f = await startFixture();
    await f.plane.repositories.tenants.create({ tenantId: 'acme' });
    await f.plane.repositories.policies.create('acme', { policyId: 'base', sourceYaml: YAML('base') }, { subject: 'setup' });
    for (const s of SERVICES) clients.set(s.typeName, f.client(s));
  });
  afterAll(async () => f?.close());

  const call = (path: string, request: Record<string, unknown>, token?: string) => {
    const [serviceName, method] = path.split('/') as [string, string];
    const service = SERVICES.find((s) => s.typeName === `bulwark.v1.${serviceName}`);
    const m = service?.methods.find((x) => x.name === method);
    if (!service || !m) throw new Error(`no ${path}`);
    return (clients.get(service.typeName) as TestClient<DescService>).call(m.localName as never, request as never, token) as Promise<unknown>;
  };

  it('the specification covers every RPC of every service, and the permission table agrees with it', () => {
    const served = SERVICES.flatMap((s) => s.methods.map((m) => `${s.name}/${m.name}`)).sort();
    expect(Object.keys(ALLOWED).sort()).toEqual(served);
    expect(Object.keys(RPC_PERMISSIONS).map((p) => p.replace('/bulwark.v1.', '')).sort()).toEqual(served);
  });

  for (const role of ROLES) {
    it(`role ${role}: allowed RPCs pass authorisation, every other RPC is PERMISSION_DENIED`, async () => {
      const token = await f.token([role], role === 'platform-admin' ? null : 'acme');
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const rpc of Object.keys(ALLOWED)) {
        const code = await codeOf(call(rpc, requestFor(rpc, role), token));
        const allowed = (ALLOWED[rpc] as Role[]).includes(role);
        outcomes[rpc] =
          code === status.PERMISSION_DENIED ? 'denied' : code === status.UNAUTHENTICATED ? 'unauthenticated' : code === status.INTERNAL ? 'internal' : 'passed';
        expected[rpc] = allowed ? 'passed' : 'denied';
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it('allowed calls really run (not just "not denied")', async () => {
    const viewer = await f.token(['viewer']);
    const editor = await f.token(['editor']);
    expect(await codeOf(call('PolicyAdminService/ListPolicies', {}, viewer))).toBe('ok');
    expect(await codeOf(call('PolicyAdminService/UpdatePolicy', requestFor('PolicyAdminService/UpdatePolicy', 'editor'), editor))).toBe(status.ABORTED);
    expect(await codeOf(call('PolicyAdminService/DeletePolicy', { policyId: 'missing' }, await f.token(['admin'])))).toBe(status.NOT_FOUND);
  });

  it('roles combine; unknown roles grant nothing; platform-admin does not imply tenant access', async () => {
    const both = await f.token(['viewer', 'platform-admin'], 'acme');
    expect(await codeOf(call('PolicyAdminService/ListPolicies', {}, both))).toBe('ok');
    expect(await codeOf(call('TenantService/ListTenants', {}, both))).toBe('ok');
    expect(await codeOf(call('PolicyAdminService/ListPolicies', {}, await f.token(['superuser', 'root'])))).toBe(status.PERMISSION_DENIED);
    const platformOnly = await f.token(['platform-admin'], 'acme');
    expect(await codeOf(call('PolicyAdminService/ListPolicies', {}, platformOnly))).toBe(status.PERMISSION_DENIED);
  });

  describe('token failures are UNAUTHENTICATED', () => {
    const path = 'PolicyAdminService/ListPolicies';

    it('missing, malformed or non-Bearer credentials', async () => {
      expect(await codeOf(call(path, {}))).toBe(status.UNAUTHENTICATED);
      expect(await codeOf(call(path, {}, 'not-a-jwt'))).toBe(status.UNAUTHENTICATED);
      expect(await codeOf(call(path, {}, 'a.b.c'))).toBe(status.UNAUTHENTICATED);
    });

    it('a token that expired an hour ago', async () => {
      const issued = new Date(Date.now() - 2 * 3600_000);
      expect(await codeOf(call(path, {}, await f.token(['viewer'], 'acme', { now: issued, ttlSeconds: 3600 })))).toBe(status.UNAUTHENTICATED);
    });

    it('expiry: 30 s past exp passes (skew), 90 s past exp fails', async () => {
      const now = Date.now();
      const expiredBy = (seconds: number) => f.token(['viewer'], 'acme', { now: new Date(now - (seconds + 60) * 1000), ttlSeconds: 60 });
      expect(await codeOf(call(path, {}, await expiredBy(30)))).toBe('ok');
      expect(await codeOf(call(path, {}, await expiredBy(90)))).toBe(status.UNAUTHENTICATED);
    });

    it('not-before: 30 s in the future passes (skew), 90 s fails', async () => {
      const secret = hmacSecretFrom(TEST_SECRET);
      const nbf = async (seconds: number) => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ tenant_id: 'acme', roles: ['viewer'] })
          .setProtectedHeader({ alg: 'HS256' })
          .setNotBefore(now + seconds)
          .setExpirationTime(now + 600)
          .sign(secret);
      };
      expect(await codeOf(call(path, {}, await nbf(30)))).toBe('ok');
      expect(await codeOf(call(path, {}, await nbf(90)))).toBe(status.UNAUTHENTICATED);
    });

    it('a token signed with another secret, or tampered with', async () => {
      const other = await mintHs256Token({ secret: hmacSecretFrom('x'.repeat(40)), tenantId: 'acme', roles: ['admin'], ttlSeconds: 600 });
      expect(await codeOf(call(path, {}, other))).toBe(status.UNAUTHENTICATED);
      const good = await f.token(['viewer']);
      const [h, , s] = good.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ tenant_id: 'acme', roles: ['admin'], exp: 9_999_999_999 })).toString('base64url');
      expect(await codeOf(call(path, {}, `${h}.${forgedPayload}.${s}`))).toBe(status.UNAUTHENTICATED);
    });

    it('alg "none", and a token without exp', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ tenant_id: 'acme', roles: ['admin'], exp: 9_999_999_999 })).toString('base64url');
      expect(await codeOf(call(path, {}, `${header}.${payload}.`))).toBe(status.UNAUTHENTICATED);
      const noExp = await new SignJWT({ tenant_id: 'acme', roles: ['viewer'] }).setProtectedHeader({ alg: 'HS256' }).sign(hmacSecretFrom(TEST_SECRET));
      expect(await codeOf(call(path, {}, noExp))).toBe(status.UNAUTHENTICATED);
    });

    it('a tenant-less token (other than platform-admin), or a malformed tenant id', async () => {
      expect(await codeOf(call(path, {}, await f.token(['admin'], null)))).toBe(status.UNAUTHENTICATED);
      expect(await codeOf(call(path, {}, await f.token(['admin'], 'bad tenant!')))).toBe(status.UNAUTHENTICATED);
      const err = await call(path, {}, await f.token(['admin'], null)).catch((e: { details: string }) => e);
      expect((err as { details: string }).details).toContain('tenant_id');
    });
  });

  describe('RS256 / ES256 through a JWKS', () => {
    let rsa: { privateKey: CryptoKey; jwk: JWK };
    let ec: { privateKey: CryptoKey; jwk: JWK };
    let stranger: CryptoKey;
    let http: Server;

    async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
      const { privateKey, publicKey } = await generateKeyPair(alg);
      return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    }
    const sign = (key: CryptoKey, alg: string, kid: string, claims: Record<string, unknown> = { tenant_id: 'acme', roles: ['viewer'] }) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuedAt().setExpirationTime('10m').setSubject('svc').sign(key);

    beforeAll(async () => {
      rsa = await keyPair('RS256', 'rsa-1');
      ec = await keyPair('ES256', 'ec-1');
      stranger = (await generateKeyPair('RS256')).privateKey;
      http = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

    async function checkKeySource(env: NodeJS.ProcessEnv) {
      const plane = await f.startAnother(authConfigFromEnv(env));
      const client = testClient(PolicyAdminService, plane.address);
      try {
        expect(await codeOf(client.call('listPolicies', {}, await sign(rsa.privateKey, 'RS256', 'rsa-1')))).toBe('ok');
        expect(await codeOf(client.call('listPolicies', {}, await sign(ec.privateKey, 'ES256', 'ec-1')))).toBe('ok');
        // An editor-only RPC with a viewer token is still PERMISSION_DENIED.
        expect(await codeOf(client.call('createPolicy', { yaml: YAML('z') }, await sign(ec.privateKey, 'ES256', 'ec-1')))).toBe(status.PERMISSION_DENIED);
        // A key that is not in the set, under a known or an unknown kid.
        expect(await codeOf(client.call('listPolicies', {}, await sign(stranger, 'RS256', 'rsa-1')))).toBe(status.UNAUTHENTICATED);
        expect(await codeOf(client.call('listPolicies', {}, await sign(stranger, 'RS256', 'other')))).toBe(status.UNAUTHENTICATED);
        // HS256 is not enabled on this server, even with the right shared secret.
        expect(await codeOf(client.call('listPolicies', {}, await f.token(['viewer'])))).toBe(status.UNAUTHENTICATED);
        // Tenant-less RS256 token.
        expect(await codeOf(client.call('listPolicies', {}, await sign(rsa.privateKey, 'RS256', 'rsa-1', { roles: ['viewer'] })))).toBe(status.UNAUTHENTICATED);
      } finally {
        client.close();
      }
    }

    it('from a JWKS file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bulwark-jwks-'));
      const file = join(dir, 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
      try {
        await checkKeySource({ BULWARK_JWKS_FILE: file });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('from a JWKS URL', async () => {
      const address = http.address();
      if (!address || typeof address === 'string') throw new Error('no address');
      await checkKeySource({ BULWARK_JWKS_URL: `http://127.0.0.1:${address.port}/jwks.json` });
    });
  });
});
