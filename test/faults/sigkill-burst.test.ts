/**
 * Fault: the sidecar process is killed with SIGKILL in the middle of a burst of Scan,
 * StreamScan and CheckAction calls, then started again over the same data directory and audit
 * log. The sidecar is a real child process (`bulwark sidecar --control-plane … --audit-log …`,
 * from source through tsx like the CLI tests), managed by a real control plane in this process.
 *
 * The control plane is down during the bursts, so scan records go to the sidecar's spill file
 * (fsynced); the kill lands while records and audit entries are being written. Checked:
 * - callers of in-flight calls get UNAVAILABLE (never a wrong decision);
 * - the audit log verifies after the kill (the verifier behind `bulwark audit verify`, in
 *   process) and `bulwark audit verify` accepts it after the restart (the chain continues
 *   across the crash); every decision answered before the last flush is in it;
 * - the restarted sidecar enforces its persisted snapshot with the control plane still down;
 * - when the control plane returns, every record that was on disk at the kill is stored,
 *   exactly once;
 * - webhook alerts (the events outbox, src/events/outbox): the receiver answers 503 during the
 *   bursts, so alerts wait in the outbox; after the restart every alert of the first burst is
 *   delivered (matched by request id) once the receiver is back.
 *
 * Durability window, by design (the hot path never waits for bookkeeping): audit entries are
 * fdatasynced every 20 ms and scan records reach the spill file every flush interval (250 ms),
 * so decisions answered within that window before a SIGKILL can be missing; the test reports
 * how many and checks the rest.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../bench/server-process.js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { ScanRecordSchema } from '../../gen/bulwark/v1/scan_record_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { actionRequest, createAgentActionClient } from '../../src/agents/action-client.js';
import { verifyAuditLog } from '../../src/audit/verify-audit-log.js';
import { runCli } from '../cli/run-cli.js';
import { testClient } from '../control/grpc-test-client.js';
import { ENGINE, eventually, healthOf, startPushPlane, TempDirs, token, type PushPlane } from '../control/push-fixture.js';
import { runStream, scanClient } from '../helpers/scan-client.js';
import { settle, type Settled } from './fault-helpers.js';

const MAIN_TS = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const HMAC_KEY = 'sigkill-test-audit-key-0123456789';
const NODE = 'sigkill-node';

const POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  timeBudgetMs: 30000
  customRules:
    - id: no-crimson-kites
      phrases: ["crimson kite"]
      action: BLOCK
  agents:
    - id: data_processor
      owner: data-team@acme.example
      allowedActions: [TOOL_CALL]
  actionRules:
    - id: http-only-internal
      appliesTo: [TOOL_CALL]
      target: http_request
      hosts: { allow: [internal.acme.example] }
      decision: ALLOW
  actionSettings: { auditScans: true }
`;

/** Scan ids of the records in the spill file that were not delivered yet. */
function spooledScanIds(dataDir: string): string[] {
  const spool = join(dataDir, 'records', 'records.spool');
  if (!existsSync(spool)) return [];
  const offsetFile = join(dataDir, 'records', 'records.offset');
  const offset = existsSync(offsetFile) ? Number(readFileSync(offsetFile, 'utf8').trim()) : 0;
  const ids: string[] = [];
  for (const line of readFileSync(spool).subarray(offset).toString('latin1').split('\n')) {
    if (!line) continue;
    try {
      ids.push(fromBinary(ScanRecordSchema, Buffer.from(line, 'base64')).scanId);
    } catch {
      // A line torn by the kill: the sidecar skips it too.
    }
  }
  return ids;
}

/** Audit log files, oldest first (rotations FILE.000001 … then FILE). */
function auditFiles(path: string): string[] {
  const dir = join(path, '..');
  const base = path.slice(dir.length + 1);
  const rotated = readdirSync(dir).filter((f) => f.startsWith(`${base}.`) && /^\d{6}$/.test(f.slice(base.length + 1))).sort();
  return [...rotated.map((f) => join(dir, f)), path];
}

/** The last sequence number in the audit log (-1 when empty). */
function lastAuditSeq(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return lines.length === 0 ? -1 : (JSON.parse(lines.at(-1)!) as { seq: number }).seq;
}

/** Alerts for every threat (custom rules are LOW or above), fast retries, no rate limit in the way. */
function alertsYaml(port: number): string {
  return `apiVersion: bulwark.dev/v1
kind: AlertDestinations
spec:
  destinations:
    - name: test-receiver
      format: json
      url: http://127.0.0.1:${port}/alerts
      minSeverity: LOW
      rateLimit: { perMinute: 100000, burst: 1000 }
      retry: { baseMs: 50, maxMs: 300 }
`;
}

/** A real HTTP receiver: 503 while `up()` is false, else 200 and the alerts' request ids recorded. */
async function startAlertReceiver(up: () => boolean, seen: Set<string>): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (!up()) {
        res.writeHead(503).end();
        return;
      }
      for (const e of (JSON.parse(body) as { events: { requestId?: string }[] }).events) if (e.requestId) seen.add(e.requestId);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Answered {
  scanIds: Set<string>;
  /** Request ids of BLOCKed unary scans: each raises a webhook alert. */
  blocked: string[];
  auditIds: number[];
  failures: Settled<unknown>[];
}

/** One call of the mix, on a sidecar: a Scan, a 3-chunk StreamScan or a CheckAction. */
async function oneCall(address: string, i: number, answered: Answered): Promise<void> {
  const kind = i % 3;
  if (kind === 0) {
    const client = scanClient(address);
    const content = i % 2 === 0 ? `request ${i}: a crimson kite` : `request ${i}: summarise the notes`;
    const outcome = await settle(client.scan({ tenantId: 'acme', content, agentId: 'agent-k', requestId: `req-${i}` }, { deadlineMs: 30_000 }));
    client.close();
    if (outcome.ok) answered.scanIds.add(outcome.value.scanId);
    else answered.failures.push(outcome);
    if (outcome.ok && outcome.value.action === Action.BLOCK) answered.blocked.push(`req-${i}`);
  } else if (kind === 1) {
    const client = scanClient(address);
    const outcome = await settle(
      runStream(client.streamScan({ deadlineMs: 30_000 }), [
        { streamId: `s${i}`, tenantId: 'acme', content: `streamed answer ${i}, ` },
        { streamId: `s${i}`, content: 'second part, ' },
        { streamId: `s${i}`, content: 'the end.', endOfStream: true },
      ]),
    );
    client.close();
    if (outcome.ok && outcome.value.at(-1)?.endOfStream && !outcome.value.some((r) => r.error)) answered.scanIds.add(outcome.value[0]!.scanId);
    else if (!outcome.ok) answered.failures.push(outcome);
  } else {
    const client = createAgentActionClient(address, { deadlineMs: 30_000 });
    const outcome = await settle(
      client.checkAction(actionRequest({ tenantId: 'acme', agentId: 'data_processor', actionType: 'TOOL_CALL', target: 'http_request', parameters: { url: `https://internal.acme.example/items/${i}` } })),
    );
    client.close();
    if (outcome.ok) answered.auditIds.push(Number(outcome.value.auditEntryId));
    else answered.failures.push(outcome);
  }
}

describe(`fault: SIGKILL during a burst, then restart over the same state (${ENGINE})`, { timeout: 90_000 }, () => {
  const dirs = new TempDirs();
  let cp: PushPlane;
  let sidecar: ServerProcess | undefined;
  let dataDir: string;
  let auditLog: string;
  let sidecarToken: string;
  const answered: Answered = { scanIds: new Set(), blocked: [], auditIds: [], failures: [] };
  /** Request ids of the alerts that reached the receiver, and whether it accepts them now. */
  const alerted = new Set<string>();
  let receiverUp = false;
  let receiver: Server;
  let alertsConfig: string;
  let blockedInFirstBurst: string[] = [];
  /** Scan ids in the spill file when the process died. */
  let onDiskAtKill: string[] = [];

  const start = async () => {
    sidecar = await startServerProcess(
      MAIN_TS,
      ['--workers', '1', '--control-plane', cp.address, '--data-dir', dataDir, '--node-id', NODE, '--tenants', 'acme', '--initial-policy-timeout', '0', '--audit-log', auditLog, '--alerts-config', alertsConfig, '--alerts-dir', join(dataDir, 'alerts')],
      ['--import', 'tsx'],
      // Metrics (when this build has them) on a free port: a fixed one may be taken.
      { BULWARK_TOKEN: sidecarToken, BULWARK_AUDIT_HMAC_KEY: HMAC_KEY, BULWARK_METRICS_LISTEN: '127.0.0.1:0' },
      // From source through tsx on a loaded 2-core machine, start-up alone has taken 15-30 s.
      75_000,
    );
    return sidecar;
  };
  const verify = () => runCli(['audit', 'verify', ...auditFiles(auditLog)], undefined, { BULWARK_AUDIT_HMAC_KEY: HMAC_KEY });
  const stored = async () => {
    const { rows } = await cp.db.db.query<{ scan_id: string }>(`SELECT scan_id FROM scan_records WHERE sidecar_id = $1`, [NODE]);
    return rows.map((r) => String(r.scan_id));
  };

  beforeAll(async () => {
    cp = await startPushPlane({ BULWARK_HASH_SALT: 'sigkill-salt' });
    await cp.plane.repositories.tenants.create({ tenantId: 'acme' });
    sidecarToken = await token(['sidecar']);
    const admin = testClient(PolicyAdminService, cp.address);
    await admin.call('createPolicy', { policyId: 'default', yaml: POLICY }, await token(['admin']));
    admin.close();
    dataDir = dirs.make('bulwark-sigkill-');
    auditLog = join(dirs.make('bulwark-sigkill-audit-'), 'audit.log');
    receiver = await startAlertReceiver(() => receiverUp, alerted);
    alertsConfig = join(dirs.make('bulwark-sigkill-alerts-'), 'alerts.yaml');
    writeFileSync(alertsConfig, alertsYaml((receiver.address() as { port: number }).port));
    await start();
    await eventually('the sidecar has its snapshot', async () => (await healthOf(sidecar!.address)) === 'SERVING', 30_000);
  }, 120_000);

  afterAll(async () => {
    await sidecar?.kill();
    await new Promise((r) => receiver?.close(r));
    await cp?.dispose();
    dirs.removeAll();
  });

  it('a burst with the control plane down: everything answered is on disk', async () => {
    await cp.stop();
    const address = sidecar!.address;
    for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 12 }, (_, j) => oneCall(address, round * 12 + j, answered)));
    expect(answered.failures).toEqual([]);
    await eventually('records of the burst spilled', () => spooledScanIds(dataDir).length >= answered.scanIds.size, 15_000);
    await eventually('audit entries flushed', () => lastAuditSeq(auditLog) >= Math.max(...answered.auditIds), 15_000);
    blockedInFirstBurst = [...answered.blocked];
    expect(blockedInFirstBurst.length).toBeGreaterThan(0);
    expect(alerted.size).toBe(0); // the receiver refuses: the alerts wait in the outbox
  });

  it('SIGKILL mid-burst: in-flight callers get UNAVAILABLE; the audit chain verifies', async () => {
    const address = sidecar!.address;
    const beforeBurst = answered.scanIds.size + answered.auditIds.length;
    let stop = false;
    let i = 1000;
    const loops = Array.from({ length: 8 }, async () => {
      while (!stop) await oneCall(address, i++, answered);
    });
    await eventually('the second burst is under way', () => answered.scanIds.size + answered.auditIds.length >= beforeBurst + 30, 30_000);
    await sidecar!.kill();
    stop = true;
    await Promise.all(loops);

    // What callers of in-flight calls saw: a retryable status, never a made-up decision.
    expect(answered.failures.length).toBeGreaterThan(0);
    for (const f of answered.failures) expect(f.ok ? 'ok' : f.code).toBe(status.UNAVAILABLE);

    // In-process here (the same check `bulwark audit verify` runs; the CLI itself runs at the end).
    const checkpoints = `${auditLog}.checkpoints`;
    const report = verifyAuditLog(auditFiles(auditLog), { hmacKey: HMAC_KEY, checkpoints: existsSync(checkpoints) ? checkpoints : undefined });
    expect(report.problem).toBeUndefined();
    expect(report.ok).toBe(true);
    const lastSeq = lastAuditSeq(auditLog);
    // No gaps (verify checked the chain): an answered decision is either in the log or was
    // answered within the last flush before the kill.
    const unflushed = answered.auditIds.filter((id) => id > lastSeq);
    console.info(`SIGKILL: ${answered.auditIds.length} CheckAction decisions answered, ${unflushed.length} not yet flushed to the audit log at the kill`);
    onDiskAtKill = spooledScanIds(dataDir);
    console.info(`SIGKILL: ${answered.scanIds.size} scans answered, ${onDiskAtKill.length} records in the spill file at the kill`);
  });

  it('restarted over the same state: enforces its snapshot with the control plane still down; the chain continues', async () => {
    const lastSeq = lastAuditSeq(auditLog);
    const restarted = await start();
    const client = scanClient(restarted.address);
    const blocked = await client.scan({ tenantId: 'acme', content: 'a crimson kite after the crash' }, { deadlineMs: 30_000 });
    client.close();
    expect(blocked.action).toBe(Action.BLOCK);
    answered.scanIds.add(blocked.scanId);
    const checker = createAgentActionClient(restarted.address, { deadlineMs: 30_000 });
    const decision = await checker.checkAction(actionRequest({ tenantId: 'acme', agentId: 'data_processor', actionType: 'TOOL_CALL', target: 'http_request', parameters: { url: 'https://internal.acme.example/after' } }));
    checker.close();
    expect(decision.decision).toBe('ALLOW');
    // Scans are audited too (auditScans), so the blocked scan took lastSeq + 1.
    expect(Number(decision.auditEntryId)).toBe(lastSeq + 2);
  });

  it('the control plane and the alert receiver return: every record on disk at the kill is stored once; pending alerts are delivered', async () => {
    await cp.restart();
    await eventually('the spill file is delivered', async () => {
      const ids = new Set(await stored());
      return onDiskAtKill.every((id) => ids.has(id));
    }, 40_000);
    const ids = await stored();
    expect(new Set(ids).size).toBe(ids.length);
    // Nothing from nowhere: each record is of an answered scan, or was on disk at the kill (a
    // scan finished just before it whose answer did not reach the caller).
    const onDisk = new Set(onDiskAtKill);
    for (const id of ids) expect(answered.scanIds.has(id) || onDisk.has(id)).toBe(true);
    const lost = [...answered.scanIds].filter((id) => !ids.includes(id));
    console.info(`SIGKILL: ${ids.length} records stored, ${lost.length} answered scans were still in memory at the kill`);

    // The alerts that waited in the outbox across the kill are delivered by the new process.
    receiverUp = true;
    await eventually('every alert of the first burst delivered', () => blockedInFirstBurst.every((id) => alerted.has(id)), 30_000);
    const later = answered.blocked.filter((id) => !blockedInFirstBurst.includes(id));
    await new Promise((r) => setTimeout(r, 1000));
    console.info(`SIGKILL: ${blockedInFirstBurst.length} alerts from the first burst all delivered; ${later.filter((id) => alerted.has(id)).length} of ${later.length} from the killed burst`);

    await sidecar!.stop();
    sidecar = undefined;
    const verified = await verify();
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK: \d+ entries/);
  });
});
