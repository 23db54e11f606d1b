/**
 * A policy's hash salt is a secret: admin reads show it, viewer and editor reads get
 * `hashSalt: REDACTED` in both the source and the effective YAML, over gRPC and Connect; an
 * editor's round-trip of a redacted document is refused, and `policy apply` with an editor
 * token still sees an unchanged document as unchanged (and a changed salt as a change).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import type { CliIo } from '../../src/cli/cli-command.js';
import type { AdminConnection } from '../../src/cli/control-plane-client.js';
import { applyPolicies } from '../../src/cli/policy-gitops-actions.js';
import { REDACTED_SECRET, redactPolicySecrets } from '../../src/policy/policy-secrets.js';
import { codeOf } from './grpc-test-client.js';
import { startFixture, type Fixture } from './control-plane-fixture.js';

const SALT = 'tenant-salt-0123456789-abcdef';
const POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  name: salted
spec:
  # the hash operator's key
  hashSalt: ${SALT}
  timeBudgetMs: 40
`;

describe('redactPolicySecrets', () => {
  it('replaces spec.hashSalt and keeps the rest, comments included', () => {
    const out = redactPolicySecrets(POLICY);
    expect(out).not.toContain(SALT);
    expect(out).toContain(`hashSalt: ${REDACTED_SECRET}`);
    expect(out).toContain('# the hash operator\'s key');
    expect(out).toContain('timeBudgetMs: 40');
  });

  it('leaves documents without a salt byte for byte', () => {
    const plain = 'apiVersion: bulwark.dev/v1\nkind: Policy\nspec: { timeBudgetMs: 40 }   # hashSalt is not set\n';
    expect(redactPolicySecrets(plain)).toBe(plain);
  });
});

describe('policy reads redact the hash salt for roles without policy.secrets.read', () => {
  let f: Fixture;
  let admin: string;
  let editor: string;
  let viewer: string;
  let dir: string;

  beforeAll(async () => {
    f = await startFixture();
    await f.client(TenantService).call('createTenant', { tenantId: 'acme' }, await f.token(['platform-admin'], null));
    [admin, editor, viewer] = await Promise.all([f.token(['admin']), f.token(['editor']), f.token(['viewer'])]);
    dir = mkdtempSync(join(tmpdir(), 'bulwark-secrets-'));
  }, 60_000);
  afterAll(async () => {
    await f?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create answers the editor without the salt; admin reads show it', async () => {
    const policies = f.client(PolicyAdminService);
    const created = await policies.call('createPolicy', { policyId: 'salted', yaml: POLICY }, editor);
    expect(created.policy?.yaml).not.toContain(SALT);
    const asAdmin = await policies.call('getPolicy', { policyId: 'salted' }, admin);
    expect(asAdmin.policy?.yaml).toContain(SALT);
    expect(asAdmin.policy?.effectiveYaml).toContain(SALT);
  });

  it('get, list and list-versions hide it from viewers and editors (gRPC and Connect)', async () => {
    const policies = f.client(PolicyAdminService);
    for (const token of [viewer, editor]) {
      const texts = [
        (await policies.call('getPolicy', { policyId: 'salted' }, token)).policy,
        ...(await policies.call('listPolicies', {}, token)).policies,
        ...(await policies.call('listPolicyVersions', { policyId: 'salted' }, token)).versions,
      ].flatMap((p) => [p?.yaml ?? '', p?.effectiveYaml ?? '']);
      for (const text of texts) {
        expect(text).not.toContain(SALT);
        expect(text).toContain(`hashSalt: ${REDACTED_SECRET}`);
      }
    }
    const res = await fetch(`http://${f.plane.address}/bulwark.v1.PolicyAdminService/GetPolicy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` },
      body: JSON.stringify({ policyId: 'salted' }),
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).not.toContain(SALT);
  });

  it('an editor writing back the redacted document is refused, not a silent salt change', async () => {
    const policies = f.client(PolicyAdminService);
    const read = (await policies.call('getPolicy', { policyId: 'salted' }, editor)).policy;
    const update = policies.call('updatePolicy', { policyId: 'salted', yaml: read?.yaml ?? '', expectedVersion: read?.version ?? 0 }, editor);
    expect(await codeOf(update)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('policy apply with an editor token: same document unchanged, another salt configured', async () => {
    const connection: AdminConnection = {
      call: (service, method, request) => f.client(service).call(method, request, editor),
      close() {},
    };
    const file = join(dir, 'salted.yaml');
    const apply = async (): Promise<string> => {
      let out = '';
      const io: CliIo = {
        stdin: new PassThrough(),
        stdout: new Writable({ write: (c: Buffer, _e, done) => ((out += c.toString()), done()) }),
        stderr: new Writable({ write: (_c, _e, done) => done() }),
        env: {},
      };
      await applyPolicies(connection, file, io);
      return out;
    };
    writeFileSync(file, POLICY);
    expect(await apply()).toBe('policy/salted unchanged (version 1)\n');
    writeFileSync(file, POLICY.replace(SALT, 'another-salt-0123456789'));
    expect(await apply()).toBe('policy/salted configured (version 2)\n');
  });
});
