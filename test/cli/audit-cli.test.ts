import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AgentActionRuntime } from '../../src/actions/action-runtime.js';
import { AuditLogWriter } from '../../src/audit/audit-log-writer.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import { action } from '../actions/action-helpers.js';
import { EXAMPLE_POLICY_YAML } from '../actions/example-policy.js';
import { runCli } from './run-cli.js';

/** A real audit log written by the runtime: allowed actions, rule denials and built-in denials. */
async function auditLogWithDenials(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'bulwark-audit-cli-')), 'audit.log');
  const audit = await AuditLogWriter.open({ path, checkpointIntervalMs: 0 });
  const set = parsePolicySet(EXAMPLE_POLICY_YAML, 'example.yaml', { BULWARK_HASH_SALT: 'test-salt-0123456789' });
  const rt = new AgentActionRuntime({ policySet: () => set, audit });
  for (let i = 0; i < 4; i++) {
    await rt.checkAction(action({ agentId: 'report_bot', target: 'search_docs' }));
    await rt.checkAction(action({ target: 'http_request', parameters: { url: `https://api.partner.example/v1/items?page=${i}` } }));
    await rt.checkAction(action({ actionType: 'TOOL_CALL', target: 'list_files' }));
  }
  await rt.checkAction(action({ target: 'execute_command', parameters: { command: 'sudo rm -rf /' } }));
  await rt.checkAction(action({ target: 'execute_command', parameters: { command: 'ls -la' } }));
  await rt.close();
  return path;
}

describe('bulwark audit verify / policy suggest', () => {
  it('verify: exit 0 on the intact log, 1 naming the edited entry', async () => {
    const path = await auditLogWithDenials();
    const ok = await runCli(['audit', 'verify', path]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: 14 entries \(seq 0\.\.13\), head [0-9a-f]{64}, 1 checkpoint\(s\) verified/);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[3] = (lines[3] as string).replace('"report_bot"', '"other_bot"');
    writeFileSync(path, lines.join('\n'));
    const broken = await runCli(['audit', 'verify', path]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/BROKEN: .*audit\.log:4 seq 3: entry seq 3 was edited/);
    expect((await runCli(['audit', 'verify'])).code).toBe(64);
  });

  it('the log holds no parameter values', async () => {
    const text = readFileSync(await auditLogWithDenials(), 'utf8');
    expect(text).not.toContain('sudo rm');
    expect(text).not.toContain('page=');
    expect(text).toContain('"host":"api.partner.example"');
  });

  it('suggest: proposes the unregistered agent and host additions, never the built-in denials', async () => {
    const path = await auditLogWithDenials();
    const run = await runCli(['policy', 'suggest', '--min-count', '3', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/REVIEW BEFORE APPLYING/);
    expect(run.stdout).toMatch(/rule http-only-internal: 4 denials for host api\.partner\.example/);
    expect(run.stdout).toMatch(/not suggested: 1 denials with reason DANGEROUS_COMMAND/);
    const doc = parse(run.stdout) as { kind: string; metadata: { tenant: string }; spec: { agents: Array<{ id: string; allowedActions: string[] }> } };
    expect(doc.kind).toBe('Policy');
    expect(doc.metadata.tenant).toBe('acme');
    expect(doc.spec.agents).toEqual([{ id: 'report_bot', owner: 'TODO: who answers for this agent', allowedActions: ['TOOL_CALL'] }]);
  });
});
