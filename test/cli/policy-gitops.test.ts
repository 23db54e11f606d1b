/**
 * The GitOps commands as real processes against a real control plane (in this process, on
 * 127.0.0.1), plus `bulwark sidecar --control-plane` as a process: `policy apply` of the
 * minimal acme document reaches the sidecar, which then blocks what it allowed before.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { startControlPlane, type ControlPlane } from '../../src/control/start-control-plane.js';
import { eventually, SECRET, silent, token } from '../control/push-fixture.js';
import { scanClient } from '../helpers/scan-client.js';
import { pgliteFactory, type TestDatabase } from '../store/test-databases.js';
import { runCli, spawnCli } from './run-cli.js';

const ACME = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: no-purple-elephants
      pattern: 'purple\\s+elephant'
      action: BLOCK
`;

// Every test spawns several CLI processes (node + tsx): generous time for a loaded machine.
describe('bulwark policy apply / diff / get / list', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let plane: ControlPlane;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await pgliteFactory.create();
    plane = await startControlPlane({ listen: '127.0.0.1:0', database: db.db, auth: { hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 }, logger: silent, retentionIntervalMs: 0 });
    await plane.repositories.tenants.create({ tenantId: 'acme' });
    await plane.repositories.tenants.create({ tenantId: 'globex' });
    await plane.repositories.policies.create('globex', { policyId: 'secret-globex-policy', sourceYaml: 'apiVersion: bulwark.dev/v1\nkind: Policy\n' }, { subject: 'x' });
    dir = mkdtempSync(join(tmpdir(), 'bulwark-gitops-'));
    env = { BULWARK_CONTROL_PLANE: plane.address, BULWARK_TOKEN: await token(['editor']) };
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await plane?.close(1000);
    await db?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('apply creates the minimal acme policy and prints its version; a second apply changes nothing', async () => {
    const file = join(dir, 'acme.yaml');
    writeFileSync(file, ACME);
    const first = await runCli(['policy', 'apply', '-f', file], undefined, env);
    expect(first).toMatchObject({ code: 0, stdout: 'policy/default created (version 1)\n' });
    const again = await runCli(['policy', 'apply', '-f', file], undefined, env);
    expect(again).toMatchObject({ code: 0, stdout: 'policy/default unchanged (version 1)\n' });
    // Comments and layout alone are not a change either.
    writeFileSync(file, `# owned by the platform team\n${ACME.replace("'purple\\s+elephant'", '"purple\\\\s+elephant"')}`);
    expect((await runCli(['policy', 'apply', '-f', file], undefined, env)).stdout).toBe('policy/default unchanged (version 1)\n');
  });

  it('diff shows a pending change (and --exit-code reports it), apply then prints the new version', async () => {
    const file = join(dir, 'acme.yaml');
    writeFileSync(file, ACME.replace('action: BLOCK', 'action: WARN'));
    const diff = await runCli(['policy', 'diff', '-f', file, '--exit-code'], undefined, env);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('--- policy/default (control plane, version 1)');
    expect(diff.stdout).toContain('-      action: BLOCK\n+      action: WARN');
    expect((await runCli(['policy', 'diff', '-f', file], undefined, env)).code).toBe(0);
    expect((await runCli(['policy', 'apply', '-f', file], undefined, env)).stdout).toBe('policy/default configured (version 2)\n');
    const none = await runCli(['policy', 'diff', '-f', file, '--exit-code'], undefined, env);
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('a directory applies every document; an invalid one means nothing is applied', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'a.yaml'), `${ACME}---\napiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  name: strict\nspec:\n  failMode: closed\n`);
    writeFileSync(join(tree, 'b.yml'), 'apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  customRules:\n    - id: bad\n      pattern: "("\n      action: BLOCK\n');
    writeFileSync(join(tree, 'notes.txt'), 'not yaml');
    const refused = await runCli(['policy', 'apply', '-f', tree], undefined, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nothing applied');
    expect(refused.stderr).toContain('b.yml');
    expect((await runCli(['policy', 'list'], undefined, env)).stdout).not.toContain('strict');
    rmSync(join(tree, 'b.yml'));
    const applied = await runCli(['policy', 'apply', '-f', tree], undefined, env);
    expect(applied.stdout).toBe('policy/default configured (version 3)\npolicy/strict created (version 1)\n');
  });

  it('list prints only the caller tenant\'s policies; get prints YAML that applies unchanged', async () => {
    const list = await runCli(['policy', 'list'], undefined, env);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^POLICY\s+VERSION\s+COMPILED\s+RULES\s+UPDATED\s+BY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['default', '3'],
      ['strict', '1'],
    ]);
    expect(list.stdout).not.toContain('globex');
    const get = await runCli(['policy', 'get', 'default'], undefined, env);
    expect(get.stdout).toMatch(/^# policy default version 3, compiled sha256:[0-9a-f]{12}\n/);
    expect(get.stdout).toContain('no-purple-elephants');
    const effective = await runCli(['policy', 'get', 'default', '--effective'], undefined, env);
    expect(effective.stdout).toContain('name: default');
    writeFileSync(join(dir, 'roundtrip.yaml'), get.stdout);
    expect((await runCli(['policy', 'apply', '-f', join(dir, 'roundtrip.yaml')], undefined, env)).stdout).toBe('policy/default unchanged (version 3)\n');
    const missing = await runCli(['policy', 'get', 'secret-globex-policy'], undefined, env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });

  it('a viewer may list but not apply; no token is a usage error', async () => {
    const viewer = { ...env, BULWARK_TOKEN: await token(['viewer']) };
    expect((await runCli(['policy', 'list'], undefined, viewer)).code).toBe(0);
    const denied = await runCli(['policy', 'apply', '-f', join(dir, 'acme.yaml')], undefined, viewer);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('PERMISSION_DENIED');
    const noToken = await runCli(['policy', 'list'], undefined, { BULWARK_CONTROL_PLANE: plane.address, BULWARK_TOKEN: '' });
    expect(noToken.code).toBe(64);
  });

  it('bulwark sidecar --control-plane enforces what policy apply wrote', async () => {
    const child = spawnCli(['sidecar', '--listen', '127.0.0.1:0', '--workers', '1', '--control-plane', plane.address, '--data-dir', join(dir, 'sidecar'), '--node-id', 'cli-node'], {
      BULWARK_TOKEN: await token(['sidecar']),
      BULWARK_CONTROL_PLANE: '',
      // No /metrics listener: its fixed default port would clash with other test processes.
      BULWARK_METRICS_LISTEN: 'off',
    });
    children.push(child);
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /"address":"([^"]+)"[^\n]*"msg":"sidecar listening"/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`sidecar exited ${code}: ${out}`)));
    });
    const client = scanClient(address);
    try {
      const blocked = async () => (await client.scan({ tenantId: 'acme', content: 'a purple elephant' })).action === Action.BLOCK;
      await eventually('the applied policy is enforced', blocked, 20_000);
      expect((await client.scan({ tenantId: 'acme', content: 'a grey elephant' })).action).toBe(Action.ALLOW);
      const file = join(dir, 'acme.yaml');
      writeFileSync(file, ACME.replace("'purple", "'pink"));
      expect((await runCli(['policy', 'apply', '-f', file], undefined, env)).stdout).toBe('policy/default configured (version 4)\n');
      await eventually('the new version is enforced', async () => (await client.scan({ tenantId: 'acme', content: 'a pink elephant' })).action === Action.BLOCK);
      expect((await client.scan({ tenantId: 'acme', content: 'a purple elephant' })).action).toBe(Action.ALLOW);
    } finally {
      client.close();
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});
