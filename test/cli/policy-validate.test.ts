import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-cli-policy-'));
function policyFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const VALID = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: no-codenames
      phrases: ["Project Nightingale"]
      action: BLOCK
---
apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
  name: strict
spec:
  failMode: closed
`;

describe('bulwark policy validate', () => {
  it('summarises a valid file: tenants, policies, versions; exit 0', async () => {
    const r = await runCli(['policy', 'validate', policyFile('valid.yaml', VALID)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid.yaml: valid');
    expect(r.stdout).toMatch(/policy set version: \S+/);
    expect(r.stdout).toContain('tenants: 2, policies: 3');
    expect(r.stdout).toMatch(/tenant acme:\n\s+default\s+version \S+, fail closed, 1 custom rule\n\s+strict\s+version/);
    expect(r.stdout).toContain('tenant default:');
    expect(r.stderr).toBe('');
  });

  it('reports file:line field: message for an invalid field; exit 1', async () => {
    const path = policyFile('unknown-field.yaml', VALID.replace('failMode: closed', 'failMode: sometimes'));
    const r = await runCli(['policy', 'validate', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:17 spec.failMode:`);
    expect(r.stdout).toBe('');
  });

  it('reports an invalid RE2 pattern with its line; exit 1', async () => {
    const path = policyFile('bad-pattern.yaml', VALID.replace('phrases: ["Project Nightingale"]', "pattern: '(unclosed'"));
    const r = await runCli(['policy', 'validate', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad-pattern.yaml:8 spec.customRules[0].pattern');
  });

  it('reports a missing file without a stack trace; exit 1', async () => {
    const r = await runCli(['policy', 'validate', join(dir, 'absent.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('absent.yaml: cannot read policy file: no such file');
    expect(r.stderr).not.toContain('    at ');
  });
});
