/**
 * The storage conformance suite: the same behaviour, asserted on every engine (PGlite
 * always; PostgreSQL when DATABASE_URL is set). Covers migrations (idempotent, concurrent,
 * tamper-evident), row-level security through hand-written SQL on the app role, every
 * repository, and the retention purge.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyCompiler } from '../../src/control/policy-compiler.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { Database, SqlExecutor } from '../../src/store/database.js';
import { FleetRepository } from '../../src/store/fleet-repository.js';
import { GuardrailRuleRepository } from '../../src/store/guardrail-rule-repository.js';
import { MetricsRepository } from '../../src/store/metrics-repository.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import type { GuardrailRuleData } from '../../src/store/policy-records.js';
import { PolicyRepository } from '../../src/store/policy-repository.js';
import { RecordRepository } from '../../src/store/record-repository.js';
import type { ScanRecordData } from '../../src/store/record-types.js';
import { asPlatform, inTenant } from '../../src/store/scoped-session.js';
import { StoreError } from '../../src/store/store-error.js';
import { TenantRepository } from '../../src/store/tenant-repository.js';
import type { TestDatabase, TestDatabaseFactory } from './test-databases.js';

const ENV = { BULWARK_HASH_SALT: 'conformance-suite-salt' };
const compile = createPolicyCompiler(ENV);
const actor = { subject: 'alice' };

const POLICY_YAML = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  name: main
spec:
  # keep this comment
  timeBudgetMs: 40
`;

const DAY_MS = 86_400_000;

function isoDaysAgo(now: Date, days: number, extraMs = 0): string {
  return new Date(now.getTime() - days * DAY_MS + extraMs).toISOString();
}

/** A record with sensible defaults. */
export function scanRecord(overrides: Partial<ScanRecordData> = {}): ScanRecordData {
  return {
    scanId: randomUUID(),
    tenantId: '',
    occurredAt: new Date().toISOString(),
    direction: 'INPUT',
    action: 'ALLOW',
    requestId: 'req-1',
    agentId: 'agent-1',
    sidecarId: 'node-1',
    policyId: 'default',
    policyVersion: 'sha256:abc',
    contentHash: 'hmac-sha256:00',
    contentLength: 10,
    entityCounts: {},
    threats: [],
    latencyMs: 1,
    ...overrides,
  };
}

const denyRule = (ruleId: string, pattern: string): GuardrailRuleData => ({
  ruleId,
  kind: 'deny_pattern',
  pattern,
  phrases: [],
  action: 'BLOCK',
  severity: 'HIGH',
  directions: [],
  caseSensitive: false,
  description: 'test rule',
});

async function expectStoreError(promise: Promise<unknown>, kind: StoreError['kind']): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).kind).toBe(kind);
  return err as StoreError;
}

/** Runs `sql` in tenant scope and returns the error's SQLSTATE, or 'ok'. */
async function sqlOutcome(db: Database, tenant: string, sql: string, params: unknown[] = []): Promise<{ state: string; rowCount: number }> {
  try {
    const { rowCount } = await inTenant(db, tenant, (tx: SqlExecutor) => tx.query(sql, params));
    return { state: 'ok', rowCount };
  } catch (err) {
    return { state: String((err as { code?: string }).code), rowCount: 0 };
  }
}

export function describeStoreConformance(factory: TestDatabaseFactory): void {
  describe(`store conformance: ${factory.name}`, () => {
    describe('migrations', () => {
      let t: TestDatabase;
      beforeAll(async () => {
        t = await factory.create();
      });
      afterAll(async () => t?.dispose());

      it('two runners at once apply each migration exactly once; later runs apply nothing', async () => {
        const files = await loadMigrations();
        const second = await t.openSecond();
        const [a, b] = await Promise.all([migrate(t.db), migrate(second)]);
        expect([...a.applied, ...b.applied].sort()).toEqual(files.map((f) => `${String(f.version).padStart(3, '0')}_${f.name}`));
        expect(Math.min(a.applied.length, b.applied.length)).toBe(0);
        expect(a.currentVersion).toBe(files.length);
        expect(b.currentVersion).toBe(files.length);
        const again = await migrate(t.db);
        expect(again.applied).toEqual([]);
        const { rows } = await t.db.query<{ n: unknown }>('SELECT count(*)::integer AS n FROM schema_migrations');
        expect(Number(rows[0]?.n)).toBe(files.length);
      });

      it('refuses to run when an applied migration file was changed', async () => {
        const files = await loadMigrations();
        const tampered = files.map((f, i) => (i === 1 ? { ...f, checksum: 'edited' } : f));
        await expect(migrate(t.db, tampered)).rejects.toThrow(/changed after it was applied/);
      });

      it('a failing migration leaves no trace (all pending migrations share one transaction)', async () => {
        const files = await loadMigrations();
        const broken = [...files, { version: files.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT 1/0;', checksum: 'x' }];
        await expect(migrate(t.db, broken)).rejects.toThrow();
        const { rows } = await t.db.query(`SELECT 1 FROM pg_class WHERE relname = 'half_done'`);
        expect(rows).toHaveLength(0);
      });

      it('forces row-level security on every table with a tenant_id column, and the roles cannot bypass it', async () => {
        const { rows } = await t.db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
          `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
           WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
             AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)`,
        );
        expect(rows.map((r) => r.relname).sort()).toEqual(
          ['audit_checkpoints', 'guardrail_rules', 'policies', 'policy_versions', 'scan_records', 'sidecar_tenants', 'tenants', 'threat_detections'].sort(),
        );
        for (const r of rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
        const roles = await t.db.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
          `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname IN ('bulwark_app', 'bulwark_platform') ORDER BY rolname`,
        );
        expect(roles.rows).toEqual([
          { rolname: 'bulwark_app', rolsuper: false, rolbypassrls: false },
          { rolname: 'bulwark_platform', rolsuper: false, rolbypassrls: false },
        ]);
      });
    });

    describe('repositories', () => {
      let t: TestDatabase;
      let db: Database;
      let tenants: TenantRepository;
      let policies: PolicyRepository;
      let rules: GuardrailRuleRepository;
      let records: RecordRepository;
      let metrics: MetricsRepository;
      let fleet: FleetRepository;
      // Unique per run: on PostgreSQL the database is fresh anyway, but ids stay readable.
      const A = 'tenant-a';
      const B = 'tenant-b';

      beforeAll(async () => {
        t = await factory.create();
        db = t.db;
        await migrate(db);
        tenants = new TenantRepository(db);
        policies = new PolicyRepository(db, compile);
        rules = new GuardrailRuleRepository(db, compile);
        records = new RecordRepository(db);
        metrics = new MetricsRepository(db);
        fleet = new FleetRepository(db);
        await tenants.create({ tenantId: A, displayName: 'A', retentionDays: 7 });
        await tenants.create({ tenantId: B, displayName: 'B' });
      });
      afterAll(async () => t?.dispose());

      describe('tenants', () => {
        it('creates, reads, lists in pages and updates retention', async () => {
          await tenants.create({ tenantId: 'zeta' });
          expect((await tenants.get('zeta')).retentionDays).toBe(30);
          const first = await tenants.list({ pageSize: 2 });
          expect(first.items.map((x) => x.tenantId)).toEqual(['default', A]);
          const second = await tenants.list({ pageSize: 2, pageToken: first.nextPageToken });
          expect(second.items.map((x) => x.tenantId)).toEqual([B, 'zeta']);
          expect(second.nextPageToken).toBe('');
          const updated = await tenants.update('zeta', { retentionDays: 90 });
          expect(updated.retentionDays).toBe(90);
          expect(updated.displayName).toBe('');
        });

        it('rejects duplicates, malformed ids and out-of-range retention', async () => {
          await expectStoreError(tenants.create({ tenantId: A }), 'already-exists');
          await expectStoreError(tenants.create({ tenantId: 'has space' }), 'invalid-argument');
          await expectStoreError(tenants.create({ tenantId: 'x', retentionDays: 4000 }), 'invalid-argument');
          await expectStoreError(tenants.update('nope', { retentionDays: 5 }), 'not-found');
        });

        it('a tenant session sees its own tenant row only', async () => {
          expect((await tenants.getOwn(A)).retentionDays).toBe(7);
          const visible = await inTenant(db, A, (tx) => tx.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants'));
          expect(visible.rows.map((r) => r.tenant_id)).toEqual([A]);
        });
      });

      describe('policies', () => {
        it('create → get → update with a stale version is a conflict → update with the current one', async () => {
          const v1 = await policies.create(A, { policyId: 'main', sourceYaml: POLICY_YAML }, actor);
          expect(v1).toMatchObject({ tenantId: A, policyId: 'main', version: 1, change: 'create', deleted: false, createdBy: 'alice' });
          expect(v1.compiledVersion).toMatch(/^sha256:[0-9a-f]{12}$/);
          expect(v1.effectiveYaml).toContain(`tenant: ${A}`);
          expect(v1.effectiveYaml).toContain('# keep this comment');
          expect((await policies.get(A, 'main')).version).toBe(1);

          const v2 = await policies.update(A, { policyId: 'main', sourceYaml: POLICY_YAML.replace('40', '45'), expectedVersion: 1 }, actor);
          expect(v2.version).toBe(2);
          expect(v2.compiledVersion).not.toBe(v1.compiledVersion);
          expect(v2.revision > v1.revision).toBe(true);
          const stale = await expectStoreError(
            policies.update(A, { policyId: 'main', sourceYaml: POLICY_YAML, expectedVersion: 1 }, actor),
            'conflict',
          );
          expect(stale.message).toMatch(/version 2/);
          expect((await policies.get(A, 'main')).version).toBe(2);
          expect((await policies.get(A, 'main', 1)).sourceYaml).toBe(POLICY_YAML);
        });

        it('the same document compiles to the same version; the tenant and name are pinned', async () => {
          await policies.create(B, { policyId: 'main', sourceYaml: POLICY_YAML }, actor);
          const a = await policies.get(A, 'main', 1);
          const b = await policies.get(B, 'main', 1);
          expect(b.effectiveYaml).toContain(`tenant: ${B}`);
          // Different tenants → different default hash salts → different versions.
          expect(b.compiledVersion).not.toBe(a.compiledVersion);
          await expect(
            policies.create(A, { policyId: 'other', sourceYaml: POLICY_YAML.replace('name: main', `name: main\n  tenant: ${B}`) }, actor),
          ).rejects.toThrow(/metadata.tenant/);
          await expect(policies.create(A, { policyId: 'other', sourceYaml: POLICY_YAML }, actor)).rejects.toThrow(/metadata.name/);
        });

        it('rejects invalid documents without storing anything', async () => {
          const bad = POLICY_YAML.replace('timeBudgetMs: 40', 'timeBudgetMs: fast');
          await expect(policies.create(A, { policyId: 'main2', sourceYaml: bad.replace('main', 'main2') }, actor)).rejects.toBeInstanceOf(
            PolicyValidationError,
          );
          await expectStoreError(policies.get(A, 'main2'), 'not-found');
          await expect(policies.create(A, { policyId: 'x', sourceYaml: `${POLICY_YAML}---\n${POLICY_YAML}` }, actor)).rejects.toThrow(
            /exactly one YAML document/,
          );
          await expectStoreError(policies.create(A, { policyId: 'main', sourceYaml: POLICY_YAML }, actor), 'already-exists');
        });

        it('an unregistered tenant cannot own policies', async () => {
          const err = await expectStoreError(
            policies.create('ghost', { policyId: 'main', sourceYaml: POLICY_YAML.replace('name: main', 'name: main') }, actor),
            'failed-precondition',
          );
          expect(err.message).toContain('ghost');
        });

        it('delete appends a tombstone; the history stays; re-creating continues the numbering', async () => {
          await policies.create(A, { policyId: 'temp', sourceYaml: POLICY_YAML.replace('name: main', 'name: temp') }, actor);
          await expectStoreError(policies.delete(A, { policyId: 'temp', expectedVersion: 7 }, actor), 'conflict');
          const tomb = await policies.delete(A, { policyId: 'temp' }, actor);
          expect(tomb).toMatchObject({ version: 2, deleted: true, change: 'delete', effectiveYaml: '' });
          await expectStoreError(policies.get(A, 'temp'), 'not-found');
          await expectStoreError(policies.delete(A, { policyId: 'temp' }, actor), 'not-found');
          expect((await policies.list(A)).items.map((p) => p.policyId)).not.toContain('temp');
          const again = await policies.create(A, { policyId: 'temp', sourceYaml: POLICY_YAML.replace('name: main', 'name: temp') }, actor);
          expect(again.version).toBe(3);
          const history = await policies.listVersions(A, 'temp', { pageSize: 2 });
          expect(history.items.map((v) => v.version)).toEqual([3, 2]);
          const rest = await policies.listVersions(A, 'temp', { pageSize: 2, pageToken: history.nextPageToken });
          expect(rest.items.map((v) => v.version)).toEqual([1]);
          expect(rest.nextPageToken).toBe('');
        });

        it('versions are immutable, even for hand-written SQL and for the owner', async () => {
          const upd = await sqlOutcome(db, A, `UPDATE policy_versions SET source_yaml = 'x' WHERE policy_id = 'main'`);
          expect(upd.state).toBe('42501');
          const del = await sqlOutcome(db, A, `DELETE FROM policy_versions WHERE policy_id = 'main'`);
          expect(del.state).toBe('42501');
          // The owner: a superuser bypasses RLS and meets the trigger; a non-superuser owner is
          // itself under FORCE ROW LEVEL SECURITY with no policy, so it sees no rows at all.
          const owner = await db.query(`UPDATE policy_versions SET created_by = 'mallory'`).then(
            (r) => r.rowCount,
            (e: Error) => e.message,
          );
          expect(owner === 0 || /immutable/.test(String(owner))).toBe(true);
          expect((await policies.get(A, 'main', 1)).createdBy).toBe('alice');
        });

        it('lists live policies in id order with pages', async () => {
          for (const id of ['p1', 'p2', 'p3']) {
            await policies.create(B, { policyId: id, sourceYaml: POLICY_YAML.replace('name: main', `name: ${id}`) }, actor);
          }
          const page1 = await policies.list(B, { pageSize: 2 });
          const page2 = await policies.list(B, { pageSize: 2, pageToken: page1.nextPageToken });
          expect([...page1.items, ...page2.items].map((p) => p.policyId)).toEqual(['main', 'p1', 'p2', 'p3']);
          expect(page2.nextPageToken).toBe('');
          await expectStoreError(policies.list(B, { pageToken: 'garbage!' }), 'invalid-argument');
        });

        it('validate is a dry run', async () => {
          const before = await policies.get(A, 'main');
          const result = await policies.validate(A, { policyId: 'main', sourceYaml: POLICY_YAML, includeRules: true });
          expect(result.compiledVersion).toMatch(/^sha256:/);
          expect((await policies.get(A, 'main')).version).toBe(before.version);
        });

        it('lists changes since a revision in revision order', async () => {
          const all = await policies.listChangesSince(A, 0n);
          const revisions = all.map((v) => v.revision);
          expect(revisions).toEqual([...revisions].sort((x, y) => (x < y ? -1 : 1)));
          const later = await policies.listChangesSince(A, all[1]?.revision ?? 0n);
          expect(later.length).toBe(all.length - 2);
          expect((await policies.currentVersions(A)).every((v) => !v.deleted)).toBe(true);
        });
      });

      describe('guardrail rules', () => {
        const yaml = POLICY_YAML.replace('name: main', 'name: guarded');

        it('each change appends a policy version whose effective document carries the rules', async () => {
          const v1 = await policies.create(A, { policyId: 'guarded', sourceYaml: yaml }, actor);
          const created = await rules.create(A, 'guarded', denyRule('no-elephants', 'purple\\s+elephant'), 1, actor);
          expect(created.policyVersion).toBe(2);
          expect(created.rule).toMatchObject({ ruleId: 'no-elephants', kind: 'deny_pattern', action: 'BLOCK', policyId: 'guarded' });
          expect(created.compiledVersion).not.toBe(v1.compiledVersion);
          const allow = await rules.create(A, 'guarded', { ...denyRule('ok-zoo', 'zoo elephant'), kind: 'allow_pattern', action: '', severity: '' }, undefined, actor);
          expect(allow.policyVersion).toBe(3);
          const phrases = await rules.create(
            A,
            'guarded',
            { ...denyRule('codenames', ''), kind: 'deny_phrases', phrases: ['Project Nightingale'], action: 'REDACT', directions: ['OUTPUT'] },
            3,
            actor,
          );
          expect(phrases.policyVersion).toBe(4);
          const current = await policies.get(A, 'guarded');
          expect(current.rules.map((r) => r.ruleId)).toEqual(['codenames', 'no-elephants', 'ok-zoo']);
          expect(current.change).toBe('rule-create');
          expect(current.effectiveYaml).toMatch(/customRules:[\s\S]*id: codenames[\s\S]*id: no-elephants/);
          expect(current.effectiveYaml).toMatch(/allowList:\s*\n\s*- zoo elephant/);
          expect(current.sourceYaml).toBe(yaml);
        });

        it('a rule that does not compile, a duplicate id or a stale version changes nothing', async () => {
          const before = await policies.get(A, 'guarded');
          await expect(rules.create(A, 'guarded', denyRule('broken', '(unclosed'), undefined, actor)).rejects.toBeInstanceOf(PolicyValidationError);
          await expectStoreError(rules.create(A, 'guarded', denyRule('no-elephants', 'x'), undefined, actor), 'already-exists');
          await expectStoreError(rules.create(A, 'guarded', denyRule('fresh', 'x'), 1, actor), 'conflict');
          await expectStoreError(rules.get(A, 'guarded', 'broken'), 'not-found');
          expect((await policies.get(A, 'guarded')).version).toBe(before.version);
        });

        it('updates and deletes rules, each as a new version; lists rules in pages', async () => {
          const updated = await rules.update(A, 'guarded', denyRule('no-elephants', 'grey\\s+elephant'), undefined, actor);
          expect(updated.rule?.pattern).toBe('grey\\s+elephant');
          expect(updated.policyVersion).toBe(5);
          const page = await rules.list(A, 'guarded', { pageSize: 2 });
          expect(page.items.map((r) => r.ruleId)).toEqual(['codenames', 'no-elephants']);
          const rest = await rules.list(A, 'guarded', { pageSize: 2, pageToken: page.nextPageToken });
          expect(rest.items.map((r) => r.ruleId)).toEqual(['ok-zoo']);
          const removed = await rules.delete(A, 'guarded', 'ok-zoo', 5, actor);
          expect(removed).toMatchObject({ policyVersion: 6, rule: undefined });
          await expectStoreError(rules.delete(A, 'guarded', 'ok-zoo', undefined, actor), 'not-found');
          await expectStoreError(rules.update(A, 'guarded', denyRule('missing', 'x'), undefined, actor), 'not-found');
          // The policy's own update keeps the rules merged in.
          const after = await policies.update(A, { policyId: 'guarded', sourceYaml: yaml, expectedVersion: 6 }, actor);
          expect(after.rules.map((r) => r.ruleId)).toEqual(['codenames', 'no-elephants']);
          expect(after.effectiveYaml).toContain('grey\\s+elephant');
        });

        it('another tenant cannot see or change the rules', async () => {
          await expectStoreError(rules.list(B, 'guarded'), 'not-found');
          await expectStoreError(rules.get(B, 'guarded', 'codenames'), 'not-found');
          await expectStoreError(rules.create(B, 'guarded', denyRule('x', 'x'), undefined, actor), 'not-found');
        });
      });

      describe('records', () => {
        const now = new Date();
        const base = now.getTime() - 60_000;
        const seeded: ScanRecordData[] = [];

        beforeAll(async () => {
          // 7 records of A, 1 of B, spread over one minute; 2 share one timestamp (tie broken by id).
          for (let i = 0; i < 7; i++) {
            seeded.push(
              scanRecord({
                occurredAt: new Date(base + (i === 6 ? 5 : i) * 1000).toISOString(),
                action: (['ALLOW', 'WARN', 'REDACT', 'BLOCK'] as const)[i % 4],
                direction: i % 2 === 0 ? 'INPUT' : 'OUTPUT',
                agentId: i < 3 ? 'agent-x' : 'agent-y',
                latencyMs: (i + 1) * 10,
                threats:
                  i % 4 === 0
                    ? []
                    : [
                        { type: 'PII', severity: 'MEDIUM', ruleId: 'EMAIL_ADDRESS', detector: 'pii', entityType: 'EMAIL_ADDRESS', count: 2, action: 'REDACT' },
                        ...(i % 4 === 3
                          ? [{ type: 'PROMPT_INJECTION' as const, severity: 'HIGH' as const, ruleId: 'inj-ignore', detector: 'injection-patterns', entityType: '', count: 1, action: 'BLOCK' as const }]
                          : []),
                      ],
              }),
            );
          }
          const result = await records.ingest(A, seeded);
          expect(result).toEqual({ accepted: 7, duplicates: 0 });
          await records.ingest(B, [scanRecord({ occurredAt: new Date(base).toISOString(), action: 'BLOCK' })]);
        });

        it('ingest is idempotent by scan id (detections are not doubled)', async () => {
          const again = await records.ingest(A, [seeded[1] as ScanRecordData, seeded[1] as ScanRecordData]);
          expect(again).toEqual({ accepted: 0, duplicates: 2 });
          const { rows } = await inTenant(db, A, (tx) =>
            tx.query<{ n: unknown }>('SELECT count(*)::integer AS n FROM threat_detections WHERE scan_id = $1', [seeded[1]?.scanId]),
          );
          expect(Number(rows[0]?.n)).toBe(1);
        });

        it('an unregistered tenant cannot receive records; malformed values are refused', async () => {
          await expectStoreError(records.ingest('ghost', [scanRecord()]), 'failed-precondition');
          await expectStoreError(records.ingest(A, [scanRecord({ scanId: 'not-a-uuid' })]), 'invalid-argument');
          await expectStoreError(records.ingest(A, [scanRecord({ requestId: 'r'.repeat(129) })]), 'invalid-argument');
        });

        it('pages through all records newest first with a stable (time, id) order', async () => {
          const seen: string[] = [];
          let token = '';
          let pages = 0;
          do {
            const page = await records.listScanRecords(A, {}, { pageSize: 3, pageToken: token });
            seen.push(...page.items.map((r) => r.scanId));
            token = page.nextPageToken;
            pages++;
          } while (token);
          expect(pages).toBe(3);
          const expected = [...seen].length;
          expect(new Set(seen).size).toBe(expected);
          expect(expected).toBe(7);
          const full = (await records.listScanRecords(A, {}, { pageSize: 100 })).items;
          expect(full.map((r) => r.scanId)).toEqual(seen);
          for (let i = 1; i < full.length; i++) {
            const prev = full[i - 1] as ScanRecordData;
            const cur = full[i] as ScanRecordData;
            expect(prev.occurredAt > cur.occurredAt || (prev.occurredAt === cur.occurredAt && prev.scanId > cur.scanId)).toBe(true);
          }
          const r3 = full.find((r) => r.scanId === seeded[3]?.scanId);
          expect(r3?.threats.map((x) => x.type)).toEqual(['PII', 'PROMPT_INJECTION']);
          expect(r3?.occurredAt).toBe(seeded[3]?.occurredAt.replace(/\.(\d{3})Z$/, '.$1000Z'));
        });

        it('filters by time, action, threat type, agent and direction', async () => {
          const ids = async (filter: Parameters<RecordRepository['listScanRecords']>[1]) =>
            (await records.listScanRecords(A, filter, { pageSize: 100 })).items.map((r) => r.scanId).sort();
          const pick = (pred: (r: ScanRecordData, i: number) => boolean) => seeded.filter(pred).map((r) => r.scanId).sort();
          expect(await ids({ actions: ['BLOCK'] })).toEqual(pick((r) => r.action === 'BLOCK'));
          expect(await ids({ threatTypes: ['PROMPT_INJECTION'] })).toEqual(pick((r) => r.threats.some((x) => x.type === 'PROMPT_INJECTION')));
          expect(await ids({ agentId: 'agent-x', direction: 'OUTPUT' })).toEqual(pick((r) => r.agentId === 'agent-x' && r.direction === 'OUTPUT'));
          const start = new Date(base + 2000).toISOString();
          const end = new Date(base + 5000).toISOString();
          expect(await ids({ startTime: start, endTime: end })).toEqual(pick((r) => r.occurredAt >= start && r.occurredAt < end));
          expect(await ids({ actions: ['ALLOW'], threatTypes: ['PII'] })).toEqual([]);
        });

        it('a page token is bound to its filter', async () => {
          const page = await records.listScanRecords(A, { actions: ['ALLOW', 'WARN'] }, { pageSize: 1 });
          expect(page.nextPageToken).not.toBe('');
          await expectStoreError(records.listScanRecords(A, { actions: ['BLOCK'] }, { pageSize: 1, pageToken: page.nextPageToken }), 'invalid-argument');
        });

        it('lists threat detections with filters and pages', async () => {
          const all = (await records.listThreatDetections(A, {}, { pageSize: 100 })).items;
          const expectedCount = seeded.reduce((n, r) => n + r.threats.length, 0);
          expect(all).toHaveLength(expectedCount);
          const paged: string[] = [];
          let token = '';
          do {
            const page = await records.listThreatDetections(A, {}, { pageSize: 2, pageToken: token });
            paged.push(...page.items.map((d) => d.detectionId));
            token = page.nextPageToken;
          } while (token);
          expect(paged).toEqual(all.map((d) => d.detectionId));
          const blocked = await records.listThreatDetections(A, { actions: ['BLOCK'] });
          expect(blocked.items.every((d) => d.type === 'PROMPT_INJECTION' && d.action === 'BLOCK')).toBe(true);
          const pii = await records.listThreatDetections(A, { threatTypes: ['PII'], agentId: 'agent-y' });
          expect(pii.items.every((d) => d.type === 'PII' && d.agentId === 'agent-y' && d.count === 2)).toBe(true);
          expect(pii.items.length).toBeGreaterThan(0);
        });

        it('computes metrics: counts, rates, threats by type and continuous latency percentiles', async () => {
          const m = await metrics.tenantMetrics(A, new Date(base - 1000).toISOString(), now.toISOString());
          expect(m.scanCount).toBe(7n);
          expect(m.actionCounts).toEqual({ ALLOW: 2n, WARN: 2n, REDACT: 2n, BLOCK: 1n });
          // percentile_cont over latencies 10..70: p = 10 + 60 * q.
          expect(m.latencyP50Ms).toBeCloseTo(40, 9);
          expect(m.latencyP95Ms).toBeCloseTo(67, 9);
          expect(m.latencyP99Ms).toBeCloseTo(69.4, 9);
          expect(m.threatsByType).toEqual([
            { type: 'PII', scanCount: 5n, findingCount: 10n },
            { type: 'PROMPT_INJECTION', scanCount: 1n, findingCount: 1n },
          ]);
          const empty = await metrics.tenantMetrics(A, '2000-01-01T00:00:00Z', '2000-01-02T00:00:00Z');
          expect(empty).toMatchObject({ scanCount: 0n, latencyP50Ms: 0, threatsByType: [] });
        });
      });

      describe('row-level security through hand-written SQL on the app role', () => {
        let bScan: string;
        beforeAll(async () => {
          const b = scanRecord({ threats: [{ type: 'SECRET', severity: 'HIGH', ruleId: 'aws', detector: 'secrets', entityType: 'AWS', count: 1, action: 'BLOCK' }] });
          bScan = b.scanId;
          await records.ingest(B, [b]);
          await rules.create(B, 'main', denyRule('b-rule', 'secret\\s+b'), undefined, actor);
        });

        it("tenant A's session cannot see any of tenant B's rows", async () => {
          for (const table of ['policies', 'policy_versions', 'guardrail_rules', 'scan_records', 'threat_detections', 'tenants', 'sidecar_tenants', 'audit_checkpoints']) {
            const { rows } = await inTenant(db, A, (tx) => tx.query<{ n: unknown }>(`SELECT count(*)::integer AS n FROM ${table} WHERE tenant_id = $1`, [B]));
            expect([table, Number(rows[0]?.n)]).toEqual([table, 0]);
          }
          // …while B's own session does see them (so the zero above is RLS, not missing data).
          const { rows } = await inTenant(db, B, (tx) => tx.query<{ n: unknown }>(`SELECT count(*)::integer AS n FROM scan_records WHERE scan_id = $1`, [bScan]));
          expect(Number(rows[0]?.n)).toBe(1);
        });

        it("UPDATE and DELETE of tenant B's rows affect nothing; INSERT as tenant B fails", async () => {
          expect(await sqlOutcome(db, A, `UPDATE policies SET deleted = true WHERE tenant_id = $1`, [B])).toEqual({ state: 'ok', rowCount: 0 });
          expect(await sqlOutcome(db, A, `UPDATE guardrail_rules SET pattern = 'x' WHERE tenant_id = $1`, [B])).toEqual({ state: 'ok', rowCount: 0 });
          expect(await sqlOutcome(db, A, `DELETE FROM scan_records WHERE tenant_id = $1`, [B])).toEqual({ state: 'ok', rowCount: 0 });
          expect(await sqlOutcome(db, A, `DELETE FROM guardrail_rules`)).toMatchObject({ state: 'ok' });
          const insert = await sqlOutcome(db, A, `INSERT INTO policies (tenant_id, policy_id, current_version) VALUES ($1, 'evil', 1)`, [B]);
          expect(insert.state).toBe('42501');
          const moveRow = await sqlOutcome(db, A, `UPDATE policies SET tenant_id = $1 WHERE policy_id = 'main'`, [B]);
          expect(moveRow.state).toBe('42501');
          const record = scanRecord();
          const insertRecord = await sqlOutcome(
            db,
            A,
            `INSERT INTO scan_records (tenant_id, scan_id, occurred_at, direction, action, latency_ms) VALUES ($1, $2, now(), 'INPUT', 'ALLOW', 1)`,
            [B, record.scanId],
          );
          expect(insertRecord.state).toBe('42501');
          // B's data is intact.
          expect((await policies.get(B, 'main')).deleted).toBe(false);
          expect((await rules.get(B, 'main', 'b-rule')).pattern).toBe('secret\\s+b');
          expect((await records.listScanRecords(B, {})).items.map((r) => r.scanId)).toContain(bScan);
        });

        it('without a tenant the app role sees nothing, and the platform role cannot read tenant data at all', async () => {
          const none = await db.transaction(async (tx) => {
            await tx.query(`SELECT set_config('role', 'bulwark_app', true)`);
            return tx.query<{ n: unknown }>('SELECT count(*)::integer AS n FROM scan_records');
          });
          expect(Number(none.rows[0]?.n)).toBe(0);
          await expect(asPlatform(db, (tx) => tx.query('SELECT 1 FROM scan_records LIMIT 1'))).rejects.toMatchObject({ code: '42501' });
          await expect(asPlatform(db, (tx) => tx.query('SELECT 1 FROM policies LIMIT 1'))).rejects.toMatchObject({ code: '42501' });
        });

        it('the tenant setting does not leak into the next transaction on the same connection', async () => {
          await inTenant(db, A, async () => undefined);
          const after = await db.transaction(async (tx) => {
            await tx.query(`SELECT set_config('role', 'bulwark_app', true)`);
            return tx.query<{ t: string | null }>(`SELECT current_setting('app.tenant_id', true) AS t`);
          });
          expect(after.rows[0]?.t ?? '').toBe('');
        });
      });

      describe('fleet', () => {
        it('tenants see only the sidecars serving them, with their own ack/nack status', async () => {
          await fleet.upsertSidecarStatus({ nodeId: 'node-1', sidecarVersion: '1.2.3', tenantIds: [A, B] });
          await fleet.upsertSidecarStatus({ nodeId: 'node-2', sidecarVersion: '1.2.3', tenantIds: [B] });
          await fleet.recordPolicyAck('node-1', A, 'sha256:aaa');
          await fleet.recordPolicyNack('node-1', B, 'sha256:bbb', 'customRules[0].pattern: bad RE2');
          const seenByA = await fleet.listSidecars(A);
          expect(seenByA).toHaveLength(1);
          expect(seenByA[0]).toMatchObject({ nodeId: 'node-1', tenantIds: [A], connected: true, ackedPolicyVersion: 'sha256:aaa', nackedPolicyVersion: '' });
          expect(seenByA[0]?.ackedAt).toMatch(/Z$/);
          const seenByB = await fleet.listSidecars(B);
          expect(seenByB.map((s) => s.nodeId)).toEqual(['node-1', 'node-2']);
          expect(seenByB[0]).toMatchObject({ tenantIds: [B], nackedPolicyVersion: 'sha256:bbb', nackError: 'customRules[0].pattern: bad RE2', ackedPolicyVersion: '' });
          expect(await fleet.listSidecars('default')).toEqual([]);
        });

        it('disconnects, reconnects with a new tenant set, and filters connected sidecars', async () => {
          await fleet.markDisconnected('node-2');
          expect((await fleet.listSidecars(B, { connectedOnly: true })).map((s) => s.nodeId)).toEqual(['node-1']);
          expect((await fleet.listSidecars(B)).find((s) => s.nodeId === 'node-2')?.connected).toBe(false);
          await fleet.upsertSidecarStatus({ nodeId: 'node-1', sidecarVersion: '1.2.4', tenantIds: [B] });
          expect(await fleet.listSidecars(A)).toEqual([]);
          expect((await fleet.listSidecars(B))[0]?.sidecarVersion).toBe('1.2.4');
        });
      });

      describe('retention', () => {
        it("purges each tenant's records older than its own retention period, detections included", async () => {
          const now = new Date();
          const oldA = scanRecord({
            occurredAt: isoDaysAgo(now, 8),
            threats: [{ type: 'PII', severity: 'LOW', ruleId: 'PHONE', detector: 'pii', entityType: 'PHONE_NUMBER', count: 1, action: 'REDACT' }],
          });
          const keptA = scanRecord({ occurredAt: isoDaysAgo(now, 6) });
          const oldB = scanRecord({ occurredAt: isoDaysAgo(now, 8) }); // B keeps 30 days
          await records.ingest(A, [oldA, keptA]);
          await records.ingest(B, [oldB]);
          const counts = await records.purgeAllExpired(tenants, now);
          expect(counts.get(A)).toBe(1);
          expect(counts.get(B)).toBe(0);
          const idsA = (await records.listScanRecords(A, {}, { pageSize: 500 })).items.map((r) => r.scanId);
          expect(idsA).toContain(keptA.scanId);
          expect(idsA).not.toContain(oldA.scanId);
          const { rows } = await inTenant(db, A, (tx) => tx.query('SELECT 1 FROM threat_detections WHERE scan_id = $1', [oldA.scanId]));
          expect(rows).toHaveLength(0);
          expect((await records.listScanRecords(B, {}, { pageSize: 500 })).items.map((r) => r.scanId)).toContain(oldB.scanId);
          // Shortening B's retention makes its old record expire on the next run.
          await tenants.update(B, { retentionDays: 1 });
          expect(await records.purgeExpired(B, now)).toBe(1);
          await tenants.update(B, { retentionDays: 30 });
        });
      });
    });
  });
}
