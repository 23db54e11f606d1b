/**
 * The admin API end to end: a real control plane on 127.0.0.1:0 (PGlite), grpc-js clients,
 * tokens per tenant and role. Policy lifecycle with optimistic concurrency, guardrail rules,
 * tenant isolation, pagination, ingest from a sidecar token, metrics arithmetic, fleet,
 * health checking and reflection.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetService } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { GuardrailRuleKind, GuardrailRuleService } from '../../gen/bulwark/v1/guardrail_rule_service_pb.js';
import { MetricsService } from '../../gen/bulwark/v1/metrics_service_pb.js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { RecordIngestService } from '../../gen/bulwark/v1/record_ingest_service_pb.js';
import { RecordService } from '../../gen/bulwark/v1/record_service_pb.js';
import { ScanRecordSchema, type ScanRecord } from '../../gen/bulwark/v1/scan_record_pb.js';
import { TenantService } from '../../gen/bulwark/v1/tenant_service_pb.js';
import { Action, Direction, Severity, ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import { codeOf } from './grpc-test-client.js';
import { startFixture, type Fixture } from './control-plane-fixture.js';

const yaml = (name: string, budget = 30) => `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  name: ${name}
spec:
  timeBudgetMs: ${budget}
`;

function record(overrides: MessageInitShape<typeof ScanRecordSchema> & { ms: number }): ScanRecord {
  const { ms, ...rest } = overrides;
  return create(ScanRecordSchema, {
    scanId: randomUUID(),
    time: timestampFromMs(ms),
    direction: Direction.INPUT,
    action: Action.ALLOW,
    sidecarId: 'node-1',
    policyVersion: 'sha256:000000000000',
    contentHash: 'hmac-sha256:ab',
    contentLength: 42,
    latencyMs: 1,
    ...rest,
  });
}

describe('admin API end to end', () => {
  let f: Fixture;
  let acmeEditor: string;
  let acmeAdmin: string;
  let acmeViewer: string;
  let globexEditor: string;

  beforeAll(async () => {
    f = await startFixture();
    const platform = await f.token(['platform-admin'], null);
    const tenants = f.client(TenantService);
    await tenants.call('createTenant', { tenantId: 'acme', displayName: 'Acme', retentionDays: 14 }, platform);
    await tenants.call('createTenant', { tenantId: 'globex' }, platform);
    acmeEditor = await f.token(['editor'], 'acme');
    acmeAdmin = await f.token(['admin'], 'acme');
    acmeViewer = await f.token(['viewer'], 'acme');
    globexEditor = await f.token(['editor'], 'globex');
  });
  afterAll(async () => f?.close());

  describe('tenants (platform-admin)', () => {
    it('lists, reads and updates tenants; duplicates are ALREADY_EXISTS', async () => {
      const platform = await f.token(['platform-admin'], null);
      const tenants = f.client(TenantService);
      const list = await tenants.call('listTenants', {}, platform);
      expect(list.tenants.map((t) => t.tenantId)).toEqual(['acme', 'default', 'globex']);
      expect(list.tenants[0]?.retentionDays).toBe(14);
      expect(await codeOf(tenants.call('createTenant', { tenantId: 'acme' }, platform))).toBe(grpc.status.ALREADY_EXISTS);
      expect(await codeOf(tenants.call('createTenant', { tenantId: 'no spaces' }, platform))).toBe(grpc.status.INVALID_ARGUMENT);
      const updated = await tenants.call('updateTenant', { tenantId: 'globex', retentionDays: 60 }, platform);
      expect(updated.tenant?.retentionDays).toBe(60);
      expect(updated.tenant?.displayName).toBe('');
      expect(await codeOf(tenants.call('getTenant', { tenantId: 'nobody' }, platform))).toBe(grpc.status.NOT_FOUND);
    });
  });

  describe('policies', () => {
    it('create → get → update with a stale version is ABORTED → update with the current version', async () => {
      const admin = f.client(PolicyAdminService);
      const created = await admin.call('createPolicy', { yaml: yaml('main') }, acmeEditor);
      expect(created.policy).toMatchObject({ policyId: 'main', tenantId: 'acme', version: 1, change: 'create', createdBy: 'tester', deleted: false });
      expect(created.policy?.compiledVersion).toMatch(/^sha256:[0-9a-f]{12}$/);
      expect(created.policy?.effectiveYaml).toContain('tenant: acme');
      expect(created.policy?.createTime?.seconds).toBeGreaterThan(0n);

      const got = await admin.call('getPolicy', { policyId: 'main' }, acmeViewer);
      expect(got.policy?.version).toBe(1);
      expect(got.policy?.yaml).toBe(yaml('main'));

      const v2 = await admin.call('updatePolicy', { policyId: 'main', yaml: yaml('main', 45), expectedVersion: 1 }, acmeEditor);
      expect(v2.policy?.version).toBe(2);
      // Someone who read version 1 now loses the race.
      const stale = await admin.call('updatePolicy', { policyId: 'main', yaml: yaml('main', 20), expectedVersion: 1 }, acmeEditor).catch((e: grpc.ServiceError) => e);
      expect((stale as grpc.ServiceError).code).toBe(grpc.status.ABORTED);
      expect((stale as grpc.ServiceError).details).toMatch(/version 2/);
      expect(await codeOf(admin.call('updatePolicy', { policyId: 'main', yaml: yaml('main') }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect((await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy?.yaml).toBe(yaml('main', 45));
      expect((await admin.call('getPolicy', { policyId: 'main', version: 1 }, acmeViewer)).policy?.yaml).toBe(yaml('main'));
      const versions = await admin.call('listPolicyVersions', { policyId: 'main' }, acmeViewer);
      expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    });

    it('rejects invalid documents with INVALID_ARGUMENT naming the field; validate is a dry run', async () => {
      const admin = f.client(PolicyAdminService);
      const bad = yaml('broken').replace('timeBudgetMs: 30', 'timeBudgetMs: 0');
      const err = await admin.call('createPolicy', { yaml: bad }, acmeEditor).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((err as grpc.ServiceError).details).toMatch(/spec\.timeBudgetMs/);
      const check = await admin.call('validatePolicy', { yaml: bad }, acmeViewer);
      expect(check.valid).toBe(false);
      expect(check.errors.join('\n')).toMatch(/broken\.yaml:\d+ spec\.timeBudgetMs/);
      const ok = await admin.call('validatePolicy', { yaml: yaml('fresh') }, acmeViewer);
      expect(ok).toMatchObject({ valid: true, errors: [] });
      expect(ok.compiledVersion).toMatch(/^sha256:/);
      expect(await codeOf(admin.call('getPolicy', { policyId: 'fresh' }, acmeViewer))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(admin.call('createPolicy', { policyId: 'other', yaml: yaml('main') }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(admin.call('createPolicy', { yaml: yaml('main') }, acmeEditor))).toBe(grpc.status.ALREADY_EXISTS);
    });

    it('a request with invalid UTF-8 is INVALID_ARGUMENT, not INTERNAL', async () => {
      // CreatePolicyRequest { yaml (field 2) = bytes that are not UTF-8 }
      const body = Buffer.from([0x12, 0x03, 0x61, 0xff, 0x62]);
      const client = new grpc.Client(f.plane.address, grpc.credentials.createInsecure());
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${acmeEditor}`);
      const code = await new Promise<number>((resolve) =>
        client.makeUnaryRequest(
          '/bulwark.v1.PolicyAdminService/CreatePolicy',
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          metadata,
          (err) => resolve(err?.code ?? 0),
        ),
      );
      client.close();
      expect(code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('an unregistered tenant gets FAILED_PRECONDITION', async () => {
      const admin = f.client(PolicyAdminService);
      const ghost = await f.token(['editor'], 'ghost');
      expect(await codeOf(admin.call('createPolicy', { yaml: yaml('main') }, ghost))).toBe(grpc.status.FAILED_PRECONDITION);
    });

    it("tenants cannot see or touch each other's policies", async () => {
      const admin = f.client(PolicyAdminService);
      await admin.call('createPolicy', { yaml: yaml('main') }, globexEditor);
      await admin.call('createPolicy', { yaml: yaml('globex-only') }, globexEditor);
      const acmeList = await admin.call('listPolicies', {}, acmeViewer);
      expect(acmeList.policies.map((p) => p.policyId)).not.toContain('globex-only');
      expect(acmeList.policies.every((p) => p.tenantId === 'acme')).toBe(true);
      expect(await codeOf(admin.call('getPolicy', { policyId: 'globex-only' }, acmeViewer))).toBe(grpc.status.NOT_FOUND);
      expect(await codeOf(admin.call('deletePolicy', { policyId: 'globex-only' }, acmeAdmin))).toBe(grpc.status.NOT_FOUND);
      // Same id, separate policies: globex's "main" is at version 1, acme's at 2.
      expect((await admin.call('getPolicy', { policyId: 'main' }, globexEditor)).policy?.version).toBe(1);
      expect((await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy?.version).toBe(2);
      // A request cannot name another tenant: the YAML's tenant must be the token's.
      const cross = yaml('sneaky').replace('name: sneaky', 'name: sneaky\n  tenant: globex');
      expect(await codeOf(admin.call('createPolicy', { yaml: cross }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('pages through policies', async () => {
      const admin = f.client(PolicyAdminService);
      for (const id of ['pa', 'pb', 'pc', 'pd']) await admin.call('createPolicy', { yaml: yaml(id) }, globexEditor);
      const ids: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await admin.call('listPolicies', { pageSize: 2, pageToken }, globexEditor);
        ids.push(...page.policies.map((p) => p.policyId));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken);
      expect(ids).toEqual(['globex-only', 'main', 'pa', 'pb', 'pc', 'pd']);
      expect(pages).toBe(3);
      expect(await codeOf(admin.call('listPolicies', { pageToken: 'bm9wZQ' }, globexEditor))).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('delete needs admin and leaves a tombstone', async () => {
      const admin = f.client(PolicyAdminService);
      await admin.call('createPolicy', { yaml: yaml('doomed') }, acmeEditor);
      expect(await codeOf(admin.call('deletePolicy', { policyId: 'doomed' }, acmeEditor))).toBe(grpc.status.PERMISSION_DENIED);
      const tomb = await admin.call('deletePolicy', { policyId: 'doomed', expectedVersion: 1 }, acmeAdmin);
      expect(tomb.policy).toMatchObject({ version: 2, deleted: true, change: 'delete' });
      expect(await codeOf(admin.call('getPolicy', { policyId: 'doomed' }, acmeViewer))).toBe(grpc.status.NOT_FOUND);
      expect((await admin.call('getPolicy', { policyId: 'doomed', version: 1 }, acmeViewer)).policy?.deleted).toBe(false);
    });
  });

  describe('guardrail rules', () => {
    it('rule changes create policy versions and reach the effective document', async () => {
      const rules = f.client(GuardrailRuleService);
      const admin = f.client(PolicyAdminService);
      const before = (await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy;
      const created = await rules.call(
        'createGuardrailRule',
        {
          rule: { policyId: 'main', ruleId: 'no-elephants', kind: GuardrailRuleKind.DENY_PATTERN, pattern: 'purple\\s+elephant', action: Action.BLOCK, severity: Severity.CRITICAL, directions: [Direction.INPUT] },
          expectedPolicyVersion: before?.version ?? 0,
        },
        acmeEditor,
      );
      expect(created.policyVersion).toBe((before?.version ?? 0) + 1);
      expect(created.rule).toMatchObject({ ruleId: 'no-elephants', action: Action.BLOCK, severity: Severity.CRITICAL, directions: [Direction.INPUT] });
      await rules.call('createGuardrailRule', { rule: { policyId: 'main', ruleId: 'zoo', kind: GuardrailRuleKind.ALLOW_PATTERN, pattern: 'zoo elephant' } }, acmeEditor);
      const current = (await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy;
      expect(current?.ruleCount).toBe(2);
      expect(current?.change).toBe('rule-create');
      expect(current?.effectiveYaml).toMatch(/customRules:[\s\S]*id: no-elephants[\s\S]*severity: CRITICAL/);
      expect(current?.effectiveYaml).toMatch(/allowList:\s*\n\s*- zoo elephant/);
      expect(current?.compiledVersion).not.toBe(before?.compiledVersion);
      const listed = await rules.call('listGuardrailRules', { policyId: 'main' }, acmeViewer);
      expect(listed.rules.map((r) => r.ruleId)).toEqual(['no-elephants', 'zoo']);
    });

    it('bad rules are INVALID_ARGUMENT and change nothing; stale versions are ABORTED', async () => {
      const rules = f.client(GuardrailRuleService);
      const admin = f.client(PolicyAdminService);
      const version = (await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy?.version ?? 0;
      const base = { policyId: 'main', ruleId: 'bad', kind: GuardrailRuleKind.DENY_PATTERN, action: Action.BLOCK };
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, pattern: '(unclosed' } }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, pattern: 'x', action: Action.UNSPECIFIED } }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, kind: GuardrailRuleKind.DENY_PHRASES, phrases: [] } }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, kind: GuardrailRuleKind.ALLOW_PATTERN, pattern: 'x' } }, acmeEditor))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, pattern: 'x' }, expectedPolicyVersion: 1 }, acmeEditor))).toBe(grpc.status.ABORTED);
      expect(await codeOf(rules.call('createGuardrailRule', { rule: { ...base, ruleId: 'zoo', pattern: 'x' } }, acmeEditor))).toBe(grpc.status.ALREADY_EXISTS);
      expect((await admin.call('getPolicy', { policyId: 'main' }, acmeViewer)).policy?.version).toBe(version);
    });

    it('updates and deletes rules; another tenant cannot see them', async () => {
      const rules = f.client(GuardrailRuleService);
      const updated = await rules.call(
        'updateGuardrailRule',
        { rule: { policyId: 'main', ruleId: 'no-elephants', kind: GuardrailRuleKind.DENY_PHRASES, phrases: ['grey elephant'], action: Action.REDACT } },
        acmeEditor,
      );
      expect(updated.rule?.phrases).toEqual(['grey elephant']);
      expect(await codeOf(rules.call('deleteGuardrailRule', { policyId: 'main', ruleId: 'zoo' }, acmeEditor))).toBe(grpc.status.PERMISSION_DENIED);
      const removed = await rules.call('deleteGuardrailRule', { policyId: 'main', ruleId: 'zoo' }, acmeAdmin);
      expect(removed.policyVersion).toBe(updated.policyVersion + 1);
      expect(await codeOf(rules.call('getGuardrailRule', { policyId: 'main', ruleId: 'no-elephants' }, globexEditor))).toBe(grpc.status.NOT_FOUND);
      expect((await rules.call('listGuardrailRules', { policyId: 'main' }, globexEditor)).rules).toEqual([]);
    });
  });

  describe('records, metrics and fleet', () => {
    const t0 = Date.UTC(2026, 0, 15, 12, 0, 0);
    const acmeRecords: ScanRecord[] = [];

    beforeAll(async () => {
      // 10 acme scans at 1-second steps, latencies 1..10 ms; actions cycle ALLOW, WARN, REDACT, BLOCK, ALLOW…
      const actions = [Action.ALLOW, Action.WARN, Action.REDACT, Action.BLOCK];
      for (let i = 0; i < 10; i++) {
        const action = actions[i % 4] as Action;
        acmeRecords.push(
          record({
            ms: t0 + i * 1000,
            action,
            latencyMs: i + 1,
            agentId: i < 5 ? 'agent-a' : 'agent-b',
            direction: i % 2 ? Direction.OUTPUT : Direction.INPUT,
            entityCounts: action === Action.REDACT ? { EMAIL_ADDRESS: 2 } : {},
            threats:
              action === Action.ALLOW
                ? []
                : [
                    {
                      type: action === Action.BLOCK ? ThreatType.PROMPT_INJECTION : ThreatType.PII,
                      severity: Severity.HIGH,
                      ruleId: action === Action.BLOCK ? 'inj-ignore-previous' : 'EMAIL_ADDRESS',
                      detector: action === Action.BLOCK ? 'injection-patterns' : 'pii',
                      count: action === Action.REDACT ? 2 : 1,
                      action,
                    },
                  ],
          }),
        );
      }
    });

    it('ingests batches from a sidecar token for several tenants, idempotently', async () => {
      const ingest = f.client(RecordIngestService);
      const sidecar = await f.token(['sidecar'], 'acme', { tenants: ['globex'] });
      const first = await ingest.call('ingestScanRecords', { records: acmeRecords.slice(0, 6) }, sidecar);
      expect(first).toMatchObject({ acceptedCount: 6, duplicateCount: 0 });
      // A retry of the same batch plus the rest: only the new ones count.
      const retry = await ingest.call('ingestScanRecords', { records: acmeRecords }, sidecar);
      expect(retry).toMatchObject({ acceptedCount: 4, duplicateCount: 6 });
      const globex = await ingest.call('ingestScanRecords', { records: [record({ ms: t0, tenantId: 'globex', action: Action.BLOCK, latencyMs: 500 })] }, sidecar);
      expect(globex.acceptedCount).toBe(1);
      // A tenant the token does not list: the whole batch is refused.
      const initech = [record({ ms: t0 }), record({ ms: t0, tenantId: 'initech' })];
      expect(await codeOf(ingest.call('ingestScanRecords', { records: initech }, sidecar))).toBe(grpc.status.PERMISSION_DENIED);
      // A tenant admin may ingest for its own tenant only.
      expect(await codeOf(ingest.call('ingestScanRecords', { records: [record({ ms: t0, tenantId: 'globex' })] }, acmeAdmin))).toBe(grpc.status.PERMISSION_DENIED);
      expect(await codeOf(ingest.call('ingestScanRecords', { records: [record({ ms: t0, scanId: 'nope' })] }, sidecar))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(ingest.call('ingestScanRecords', { records: [record({ ms: t0, action: Action.UNSPECIFIED })] }, sidecar))).toBe(grpc.status.INVALID_ARGUMENT);
      expect(await codeOf(ingest.call('ingestScanRecords', { records: [record({ ms: Date.now() + 3 * 86_400_000 })] }, sidecar))).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('lists records newest first with filters and stable pages; tenants are isolated', async () => {
      const records = f.client(RecordService);
      const ids: string[] = [];
      let pageToken = '';
      do {
        const page = await records.call('listScanRecords', { pageSize: 4, pageToken }, acmeViewer);
        ids.push(...page.records.map((r) => r.scanId));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(ids).toEqual([...acmeRecords].reverse().map((r) => r.scanId));
      const blocked = await records.call('listScanRecords', { filter: { actions: [Action.BLOCK] } }, acmeViewer);
      expect(blocked.records.map((r) => r.scanId).sort()).toEqual(acmeRecords.filter((r) => r.action === Action.BLOCK).map((r) => r.scanId).sort());
      expect(blocked.records[0]?.threats[0]).toMatchObject({ type: ThreatType.PROMPT_INJECTION, ruleId: 'inj-ignore-previous', count: 1 });
      const windowed = await records.call(
        'listScanRecords',
        { filter: { startTime: timestampFromMs(t0 + 2000), endTime: timestampFromMs(t0 + 5000), agentId: 'agent-a', direction: Direction.INPUT } },
        acmeViewer,
      );
      expect(windowed.records.map((r) => r.scanId)).toEqual([acmeRecords[4]?.scanId, acmeRecords[2]?.scanId]);
      const byThreat = await records.call('listScanRecords', { filter: { threatTypes: [ThreatType.PII] } }, acmeViewer);
      expect(byThreat.records).toHaveLength(5);
      const globexView = await records.call('listScanRecords', {}, globexEditor);
      expect(globexView.records.map((r) => r.tenantId)).toEqual(['globex']);
      expect(await codeOf(records.call('listScanRecords', { filter: { startTime: timestampFromMs(t0 + 5000), endTime: timestampFromMs(t0) } }, acmeViewer))).toBe(
        grpc.status.INVALID_ARGUMENT,
      );
    });

    it('lists threat detections with filters and pages', async () => {
      const records = f.client(RecordService);
      const all: string[] = [];
      let pageToken = '';
      do {
        const page = await records.call('listThreatDetections', { pageSize: 3, pageToken }, acmeViewer);
        all.push(...page.detections.map((d) => d.detectionId));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(all).toHaveLength(7); // 10 scans minus 3 ALLOW
      expect(new Set(all).size).toBe(7);
      const injections = await records.call('listThreatDetections', { filter: { threatTypes: [ThreatType.PROMPT_INJECTION] } }, acmeViewer);
      expect(injections.detections.map((d) => d.scanId).sort()).toEqual(acmeRecords.filter((r) => r.action === Action.BLOCK).map((r) => r.scanId).sort());
      expect(injections.detections[0]).toMatchObject({ agentId: expect.any(String), policyVersion: 'sha256:000000000000', severity: Severity.HIGH });
    });

    it('computes metrics over a window: rates, threats by type, percentile_cont latencies', async () => {
      const metrics = f.client(MetricsService);
      const res = await metrics.call('getTenantMetrics', { startTime: timestampFromMs(t0), endTime: timestampFromMs(t0 + 60_000) }, acmeViewer);
      const m = res.metrics;
      // Actions over i = 0..9 cycling ALLOW, WARN, REDACT, BLOCK: 3, 3, 2, 2.
      expect(m).toMatchObject({ scanCount: 10n, allowCount: 3n, warnCount: 3n, redactCount: 2n, blockCount: 2n });
      expect(m?.warnRate).toBeCloseTo(0.3, 12);
      expect(m?.redactRate).toBeCloseTo(0.2, 12);
      expect(m?.blockRate).toBeCloseTo(0.2, 12);
      // Latencies 1..10: percentile_cont(q) = 1 + 9q.
      expect(m?.latencyP50Ms).toBeCloseTo(5.5, 9);
      expect(m?.latencyP95Ms).toBeCloseTo(9.55, 9);
      expect(m?.latencyP99Ms).toBeCloseTo(9.91, 9);
      // PII: 3 WARN scans × 1 finding + 2 REDACT scans × 2 findings.
      expect(m?.threatsByType.map((t) => ({ type: t.type, scans: t.scanCount, findings: t.findingCount }))).toEqual([
        { type: ThreatType.PII, scans: 5n, findings: 7n },
        { type: ThreatType.PROMPT_INJECTION, scans: 2n, findings: 2n },
      ]);
      // A narrower window: scans 0..3 only.
      const narrow = await metrics.call('getTenantMetrics', { startTime: timestampFromMs(t0), endTime: timestampFromMs(t0 + 4000) }, acmeViewer);
      expect(narrow.metrics).toMatchObject({ scanCount: 4n, allowCount: 1n, blockCount: 1n });
      expect(narrow.metrics?.blockRate).toBeCloseTo(0.25, 12);
      // Globex's slow scan does not leak into acme's numbers, and vice versa.
      const globex = await metrics.call('getTenantMetrics', { startTime: timestampFromMs(t0), endTime: timestampFromMs(t0 + 60_000) }, globexEditor);
      expect(globex.metrics).toMatchObject({ scanCount: 1n, blockCount: 1n, blockRate: 1, latencyP50Ms: 500 });
      const empty = await metrics.call('getTenantMetrics', {}, acmeViewer);
      expect(empty.metrics).toMatchObject({ scanCount: 0n, blockRate: 0, latencyP99Ms: 0 });
    });

    it('the retention purge deletes records older than the tenant period', async () => {
      // acme keeps 14 days: "now" 20 days after the scans removes all 10.
      const counts = await f.plane.purgeExpiredRecords(new Date(t0 + 20 * 86_400_000));
      expect(counts.get('acme')).toBe(10);
      expect(counts.get('globex')).toBe(0); // 60 days
      expect((await f.client(RecordService).call('listScanRecords', {}, acmeViewer)).records).toEqual([]);
    });

    it('lists the sidecars serving the tenant (admin only)', async () => {
      const fleetRepo = f.plane.repositories.fleet;
      await fleetRepo.upsertSidecarStatus({ nodeId: 'node-1', sidecarVersion: '0.1.0', tenantIds: ['acme', 'globex'] });
      await fleetRepo.recordPolicyAck('node-1', 'acme', 'sha256:111111111111');
      await fleetRepo.recordPolicyNack('node-1', 'globex', 'sha256:222222222222', 'customRules[0].pattern: invalid');
      const fleet = f.client(FleetService);
      const seen = await fleet.call('listSidecars', {}, acmeAdmin);
      expect(seen.sidecars).toHaveLength(1);
      expect(seen.sidecars[0]).toMatchObject({ nodeId: 'node-1', tenantIds: ['acme'], connected: true, ackedPolicyVersion: 'sha256:111111111111', nackError: '' });
      expect(seen.sidecars[0]?.ackTime?.seconds).toBeGreaterThan(0n);
      expect(seen.sidecars[0]?.nackTime).toBeUndefined();
      expect(await codeOf(fleet.call('listSidecars', {}, acmeEditor))).toBe(grpc.status.PERMISSION_DENIED);
    });
  });

  describe('health and reflection', () => {
    it('answers grpc.health.v1 checks for the server and each service', async () => {
      const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
      const client = new Health(f.plane.address, grpc.credentials.createInsecure());
      const check = (name: string) =>
        new Promise<{ status: string | number }>((resolve, reject) =>
          (client as unknown as Record<string, (r: unknown, cb: (e: Error | null, v: { status: string | number }) => void) => void>).check?.(
            { service: name },
            (e, v) => (e ? reject(e) : resolve(v)),
          ),
        );
      try {
        expect((await check('')).status).toMatch(/SERVING|1/);
        expect((await check('bulwark.v1.PolicyAdminService')).status).toMatch(/^(SERVING|1)$/);
        await expect(check('bulwark.v1.Nope')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      } finally {
        client.close();
      }
    });

    it('lists the admin services through server reflection (v1)', async () => {
      // ServerReflectionRequest { list_services = 7 } and the response's list_services_response = 6,
      // encoded by hand: the reflection protos are not part of this project.
      const request = new BinaryWriter().tag(7, 2).string('*').finish();
      const client = new grpc.Client(f.plane.address, grpc.credentials.createInsecure());
      const stream = client.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
      );
      const names = await new Promise<string[]>((resolve, reject) => {
        stream.on('data', (buf: Buffer) => {
          const found: string[] = [];
          const r = new BinaryReader(buf);
          while (r.pos < r.len) {
            const [field, wire] = r.tag();
            if (field !== 6) {
              r.skip(wire);
              continue;
            }
            const list = new BinaryReader(r.bytes());
            while (list.pos < list.len) {
              const [f1, w1] = list.tag();
              if (f1 !== 1) {
                list.skip(w1);
                continue;
              }
              const svc = new BinaryReader(list.bytes());
              while (svc.pos < svc.len) {
                const [f2, w2] = svc.tag();
                if (f2 === 1) found.push(svc.string());
                else svc.skip(w2);
              }
            }
          }
          resolve(found);
          stream.end();
        });
        stream.on('error', reject);
        stream.write(request);
      });
      client.close();
      expect(names.sort()).toEqual(
        [
          'bulwark.v1.FleetService',
          'bulwark.v1.GuardrailRuleService',
          'bulwark.v1.MetricsService',
          'bulwark.v1.PolicyAdminService',
          'bulwark.v1.PolicySyncService',
          'bulwark.v1.RecordIngestService',
          'bulwark.v1.RecordService',
          'bulwark.v1.TenantService',
        ].sort(),
      );
    });
  });
});
