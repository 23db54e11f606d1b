/**
 * The control-plane subcommands run in-process: `bulwark token` (prints only a token that
 * the control plane accepts; refuses without a secret), `bulwark migrate` on a PGlite data
 * directory, and `bulwark control` serving on disk, restarted on the same data.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import type { CliIo } from '../../src/cli/cli-command.js';
import { controlOptions, runControlPlane } from '../../src/cli/control-command.js';
import { migrateCommand } from '../../src/cli/migrate-command.js';
import { UsageError } from '../../src/cli/parse-flags.js';
import { tokenCommand } from '../../src/cli/token-command.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { createTokenVerifier } from '../../src/control/auth/token-verifier.js';
import { startControlPlane } from '../../src/control/start-control-plane.js';
import { codeOf, testClient } from './grpc-test-client.js';

const SECRET = 'a-development-secret-that-is-long-enough-1234';

function memoryIo(env: NodeJS.ProcessEnv): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString('utf8'));
        done();
      },
    });
  return {
    stdin: new PassThrough(),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env,
    out: () => out,
    err: () => err,
  };
}

async function token(args: string[], env: NodeJS.ProcessEnv = { BULWARK_JWT_SECRET: SECRET }) {
  const io = memoryIo(env);
  const code = await tokenCommand.run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('bulwark token', () => {
  it('prints only a token that verifies with the secret and carries the claims', async () => {
    const { code, stdout, stderr } = await token(['--tenant', 'acme', '--role', 'editor,viewer', '--ttl', '15m', '--sub', 'ci']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const principal = await createTokenVerifier({ hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 }).verify(stdout.trim());
    expect(principal).toMatchObject({ tenantId: 'acme', subject: 'ci' });
    expect([...principal.roles].sort()).toEqual(['editor', 'viewer']);
    const claims = decodeJwt(stdout.trim());
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('refuses without a secret (exit 1, clear message, nothing on stdout)', async () => {
    const { code, stdout, stderr } = await token(['--tenant', 'acme', '--role', 'admin'], {});
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/BULWARK_JWT_SECRET is not set/);
  });

  it('refuses a short secret, unknown roles, a missing tenant and bad durations', async () => {
    await expect(token(['--tenant', 'acme', '--role', 'admin'], { BULWARK_JWT_SECRET: 'short' })).rejects.toThrow(/at least 32 bytes/);
    await expect(token(['--tenant', 'acme', '--role', 'root'])).rejects.toBeInstanceOf(UsageError);
    await expect(token(['--role', 'viewer'])).rejects.toThrow(/--tenant is required/);
    await expect(token(['--tenant', 'acme', '--role', 'viewer', '--ttl', 'soon'])).rejects.toBeInstanceOf(UsageError);
    await expect(token(['--tenant', 'acme', '--role', 'viewer', '--ttl', '60d'])).rejects.toThrow(/at most 30 days/);
    await expect(token(['--tenant', 'bad tenant', '--role', 'viewer'])).rejects.toBeInstanceOf(UsageError);
  });

  it('mints a tenant-less platform-admin token and a multi-tenant sidecar token', async () => {
    const platform = await token(['--role', 'platform-admin']);
    expect(decodeJwt(platform.stdout.trim()).tenant_id).toBeUndefined();
    const sidecar = await token(['--tenant', 'acme', '--role', 'sidecar', '--tenants', 'globex,initech']);
    expect(decodeJwt(sidecar.stdout.trim()).tenants).toEqual(['globex', 'initech']);
  });
});

// The first open of an empty directory runs initdb onto disk (about 15 s here).
describe('bulwark migrate and bulwark control on a PGlite data directory', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bulwark-control-'));
  const dir = join(root, 'data');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const env = { BULWARK_JWT_SECRET: SECRET, BULWARK_DATA_DIR: dir, BULWARK_HASH_SALT: 'cli-test' };

  it('migrate applies everything once, then reports up to date', async () => {
    const first = memoryIo(env);
    expect(await migrateCommand.run([], first)).toBe(0);
    expect(first.out()).toMatch(/applied 001_roles, .*; schema version \d+/);
    const second = memoryIo(env);
    expect(await migrateCommand.run([], second)).toBe(0);
    expect(second.out()).toMatch(/up to date at schema version \d+/);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('control serves the admin API on disk; data survives a restart; the directory is locked while open', async () => {
    const options = controlOptions(['--listen', '127.0.0.1:0', '--log-level', 'silent', '--retention-interval', '0'], env);
    if (options === 'help') throw new Error('unexpected help');
    expect(options.storage).toEqual({ dataDir: dir });

    const runOnce = async (body: (address: string, close: (c: { close(): void }) => void) => Promise<void>) => {
      const plane = await startControlPlane({ ...options, logger: pino({ level: 'silent' }) });
      const clients: { close(): void }[] = [];
      try {
        await body(plane.address, (c) => clients.push(c));
      } finally {
        clients.forEach((c) => c.close());
        await plane.close();
      }
    };

    const platform = (await token(['--role', 'platform-admin'])).stdout.trim();
    const editor = (await token(['--tenant', 'acme', '--role', 'editor'])).stdout.trim();
    await runOnce(async (address, track) => {
      const tenants = testClient(TenantService, address);
      const policies = testClient(PolicyAdminService, address);
      [tenants, policies].forEach(track);
      await tenants.call('createTenant', { tenantId: 'acme' }, platform);
      const yaml = 'apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  name: main\n';
      const created = await policies.call('createPolicy', { yaml }, editor);
      expect(created.policy?.version).toBe(1);
      // While open, a second process (here: migrate) cannot use the directory.
      await expect(migrateCommand.run([], memoryIo(env))).rejects.toThrow(/in use|already open/);
    });
    await runOnce(async (address, track) => {
      const policies = testClient(PolicyAdminService, address);
      track(policies);
      const got = await policies.call('getPolicy', { policyId: 'main' }, editor);
      expect(got.policy?.tenantId).toBe('acme');
      expect(await codeOf(policies.call('getPolicy', { policyId: 'main' }))).toBe(status.UNAUTHENTICATED);
    });
  });

  it('runControlPlane stops when its stop promise resolves', async () => {
    const options = controlOptions(['--listen', '127.0.0.1:0', '--log-level', 'silent', '--retention-interval', '0'], env);
    if (options === 'help') throw new Error('unexpected help');
    const code = await runControlPlane(options, new Promise((resolve) => setTimeout(resolve, 50)));
    expect(code).toBe(0);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('control refuses to start without a token key', () => {
    expect(() => controlOptions([], { BULWARK_DATA_DIR: dir })).toThrow(/BULWARK_JWT_SECRET/);
  });
});
