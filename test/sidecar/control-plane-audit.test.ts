/**
 * A control-plane-managed sidecar started from the CLI's flags (`bulwark sidecar
 * --control-plane … --audit-log FILE`, BULWARK_FEEDBACK_FILE): it takes the same agent-action
 * and feedback options as a standalone one, and its audit checkpoints (sequence and head hash,
 * no content) reach the control plane, where they verify the local log; a rewritten log no
 * longer matches them. Real control plane (PGlite, or PostgreSQL with DATABASE_URL), real gRPC.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackKind, FeedbackRequestSchema } from '../../gen/bulwark/v1/scan_service_pb.js';
import { actionRequest, createAgentActionClient } from '../../src/agents/action-client.js';
import { auditVerifyCommand } from '../../src/cli/audit-verify-command.js';
import { callFeedback } from '../../src/cli/feedback-command.js';
import { sidecarConfig, type SidecarCliConfig } from '../../src/cli/sidecar-command.js';
import { startManagedSidecar } from '../../src/cli/start-managed-sidecar.js';
import { verifyAuditLog } from '../../src/audit/verify-audit-log.js';
import type { ConnectedSidecar } from '../../src/sidecar/start-connected-sidecar.js';
import { eventually, silent, startPushPlane, TempDirs, token, type PushPlane } from '../control/push-fixture.js';

describe('control-plane-managed sidecar: agent-action flags, feedback journal, audit checkpoints', () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let dir: string;
  let config: SidecarCliConfig;
  let sidecar: ConnectedSidecar | undefined;

  beforeAll(async () => {
    cp = await startPushPlane();
    await cp.plane.repositories.tenants.create({ tenantId: 'acme' });
    dir = dirs.make('bulwark-cp-audit-');
    const parsed = sidecarConfig(
      ['--control-plane', cp.address, '--listen', '127.0.0.1:0', '--workers', '1', '--data-dir', join(dir, 'data'), '--node-id', 'audit-node', '--audit-log', join(dir, 'audit.log')],
      { BULWARK_TOKEN: await token(['sidecar']), BULWARK_FEEDBACK_FILE: join(dir, 'feedback.jsonl'), BULWARK_METRICS_LISTEN: 'off' },
    );
    if (parsed === 'help' || !parsed.controlPlane) throw new Error('expected a control-plane configuration');
    config = parsed;
  }, 60_000);
  afterAll(async () => {
    await sidecar?.close(1000);
    await cp?.dispose();
    dirs.removeAll();
  });

  it('both modes read the same agent-action and feedback settings', () => {
    expect(config.agentActions).toMatchObject({ auditLog: join(dir, 'audit.log') });
    expect(config.feedbackFile).toBe(join(dir, 'feedback.jsonl'));
  });

  it('audits CheckAction, journals feedback, and ships the audit checkpoints', async () => {
    sidecar = await startManagedSidecar(config, config.controlPlane!, silent);
    const client = createAgentActionClient(sidecar.address);
    try {
      const decisions = [];
      for (const agentId of ['stranger-1', 'stranger-2', 'stranger-3']) {
        decisions.push(await client.checkAction(actionRequest({ tenantId: 'acme', agentId, actionType: 'TOOL_CALL', target: 'execute_command' })));
      }
      expect(decisions.map((d) => d.auditEntryId)).toEqual(['0', '1', '2']);
    } finally {
      client.close();
    }
    const feedback = await callFeedback(
      sidecar.address,
      create(FeedbackRequestSchema, { tenantId: 'acme', subject: { case: 'phrase', value: 'purple elephant' }, kind: FeedbackKind.FALSE_NEGATIVE }),
      5000,
    );
    expect(feedback.persisted).toBe(true);
    expect(existsSync(join(dir, 'feedback.jsonl'))).toBe(true);

    // Closing writes a last checkpoint and ships it before the process would exit.
    await sidecar.close(1000);
    sidecar = undefined;
    const stored = await eventually('the checkpoint is stored', async () => (await cp.plane.repositories.auditCheckpoints.list('acme', 'audit-node')).items.length > 0);
    expect(stored).toBeGreaterThanOrEqual(0);
    const remote = (await cp.plane.repositories.auditCheckpoints.list('acme', 'audit-node')).items;
    const lastLine = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').pop() ?? '{}';
    const head = JSON.parse(lastLine) as { seq: number; hash: string };
    expect(remote.at(-1)).toMatchObject({ sidecarId: 'audit-node', seq: 2, headHash: head.hash, mac: '' });
    // Content-free: nothing but the chain's coordinates left the sidecar.
    expect(JSON.stringify(remote)).not.toContain('execute_command');
  });

  /** `bulwark audit verify --control-plane ADDR --node-id audit-node FILE`, in-process. */
  async function verifyRemotely(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const env = { BULWARK_TOKEN: await token(['viewer']) };
    const code = await auditVerifyCommand.run(['--control-plane', cp.address, '--node-id', 'audit-node', file], { stdin: new PassThrough(), stdout, stderr, env });
    return { code, stdout: out, stderr: err };
  }

  it('bulwark audit verify --control-plane: the local log matches; a rewritten log does not', async () => {
    const file = join(dir, 'audit.log');
    const good = await verifyRemotely(file);
    expect(good).toMatchObject({ code: 0 });
    expect(good.stdout).toMatch(/^OK: 3 entries \(seq 0\.\.2\), head [0-9a-f]{64}, [1-9]\d* checkpoint\(s\) verified\n$/);

    // Rewrite the last entry and re-chain it consistently: the local chain alone still
    // verifies, the control plane's checkpoint does not.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const { hashRecord } = await import('../../src/audit/audit-chain.js');
    const last = JSON.parse(lines.pop() ?? '{}') as Record<string, unknown> & { hash: string; body: Record<string, unknown> };
    const { hash: _old, ...record } = { ...last, body: { ...last.body, decision: 'ALLOW' } };
    lines.push(JSON.stringify({ ...record, hash: hashRecord(record as never, undefined) }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(verifyAuditLog([file]).ok).toBe(true);
    const bad = await verifyRemotely(file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('control plane');
    expect(bad.stderr).toContain('does not match the log');
  });
});
