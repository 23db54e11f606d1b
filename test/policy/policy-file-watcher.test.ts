import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchPolicyFile, type PolicyFileWatch } from '../../src/policy/policy-file-watcher.js';
import { loadPolicySetFromFile } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { PolicySet } from '../../src/policy/types.js';

const env = { BULWARK_HASH_SALT: 'watch-test' };

const policyText = (action: string): string => `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: no-purple-elephants
      pattern: 'purple\\s+elephant'
      action: ${action}
`;

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `ms`. */
async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('watchPolicyFile', () => {
  let dir = '';
  let watch: PolicyFileWatch | undefined;

  afterEach(() => {
    watch?.close();
    watch = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a watch on `file` the way the sidecar does: load first, then watch from that version. */
  function start(file: string): { reloads: PolicySet[]; errors: Error[]; current: () => PolicySet } {
    let current = loadPolicySetFromFile(file, env);
    const reloads: PolicySet[] = [];
    const errors: Error[] = [];
    watch = watchPolicyFile(file, {
      currentVersion: current.version,
      env,
      // Long poll: these tests must pass on file-system events alone.
      pollIntervalMs: 60_000,
      onReload: (set) => {
        reloads.push(set);
        current = set;
      },
      onError: (err) => errors.push(err),
    });
    return { reloads, errors, current: () => current };
  }

  it('reloads on change, reports an invalid file with its line and keeps the last good set', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const { reloads, errors, current } = start(file);
    const first = current();
    await sleep(250); // the initial check finds nothing new
    expect(reloads).toHaveLength(0);

    writeFileSync(file, policyText('WARN'));
    await until(() => reloads.length === 1);
    expect(current().tenants.acme?.default?.customRules[0]?.action).toBe('WARN');
    expect(current().version).not.toBe(first.version);

    writeFileSync(file, policyText('BLOK'));
    await until(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(PolicyValidationError);
    expect(errors[0]?.message).toMatch(/policy\.yaml:9 spec\.customRules\[0\]\.action: must be one of/);
    expect(reloads).toHaveLength(1);
    expect(current().tenants.acme?.default?.customRules[0]?.action).toBe('WARN');

    // Fixing the file resumes reloading.
    writeFileSync(file, policyText('REDACT'));
    await until(() => reloads.length === 2);
    expect(current().tenants.acme?.default?.customRules[0]?.action).toBe('REDACT');
  });

  it('does not report a save that changes nothing enforced (comments only)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const { reloads, errors } = start(file);
    writeFileSync(file, `# reviewed\n${policyText('BLOCK')}`);
    await sleep(400);
    writeFileSync(file, policyText('WARN'));
    await until(() => reloads.length === 1);
    expect(errors).toHaveLength(0);
  });

  it('follows an editor-style atomic save (write a temp file, rename it over the original)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const { reloads, current } = start(file);
    for (const action of ['WARN', 'REDACT']) {
      const tmp = join(dir, '.policy.yaml.tmp');
      writeFileSync(tmp, policyText(action));
      renameSync(tmp, file);
      await until(() => current().tenants.acme?.default?.customRules[0]?.action === action);
    }
    expect(reloads).toHaveLength(2);
  });

  it('follows a Kubernetes ConfigMap update (..data symlink swap)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    // Layout as the kubelet makes it: policy.yaml -> ..data/policy.yaml, ..data -> ..<timestamp>
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'policy.yaml'), policyText('BLOCK'));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'policy.yaml'), join(dir, 'policy.yaml'));
    const { reloads, current } = start(join(dir, 'policy.yaml'));

    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'policy.yaml'), policyText('WARN'));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..v1'), { recursive: true });
    await until(() => reloads.length === 1);
    expect(current().tenants.acme?.default?.customRules[0]?.action).toBe('WARN');
  });

  it('falls back to polling, and reports the first valid read when no version is given', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const reloads: PolicySet[] = [];
    const errors: Error[] = [];
    watch = watchPolicyFile(file, { env, pollIntervalMs: 50, debounceMs: 10_000, onReload: (s) => reloads.push(s), onError: (e) => errors.push(e) });
    await until(() => reloads.length === 1); // initial read, no baseline given
    writeFileSync(file, policyText('WARN'));
    // The debounce is 10 s, so only the 50 ms poll can have seen this.
    await until(() => reloads.length === 2, 2000);
    expect(errors).toHaveLength(0);
  });

  it('reports a missing file once, keeps quiet while it stays missing, and recovers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const reloads: PolicySet[] = [];
    const errors: Error[] = [];
    const set = loadPolicySetFromFile(file, env);
    watch = watchPolicyFile(file, { env, currentVersion: set.version, pollIntervalMs: 30, onReload: (s) => reloads.push(s), onError: (e) => errors.push(e) });
    rmSync(file);
    await until(() => errors.length === 1);
    await sleep(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/ENOENT/);
    writeFileSync(file, policyText('WARN'));
    await until(() => reloads.length === 1);
  });

  it('stops calling back after close()', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-watch-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, policyText('BLOCK'));
    const { reloads } = start(file);
    watch?.close();
    writeFileSync(file, policyText('WARN'));
    await sleep(300);
    expect(reloads).toHaveLength(0);
  });
});
