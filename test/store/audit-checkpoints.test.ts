/**
 * AuditCheckpointRepository on each engine: a retried batch is counted as duplicates and
 * changes nothing, listing runs by sidecar then seq with stable pages, tenants are isolated,
 * and the app role can neither rewrite nor delete a stored checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditCheckpointRepository, type AuditCheckpointData } from '../../src/store/audit-checkpoint-repository.js';
import { migrate } from '../../src/store/migrate.js';
import { inTenant } from '../../src/store/scoped-session.js';
import { TenantRepository } from '../../src/store/tenant-repository.js';
import { pgliteFactory, postgresFactory, type TestDatabase, type TestDatabaseFactory } from './test-databases.js';

const hash = (n: number): string => n.toString(16).padStart(64, '0');
const checkpoint = (sidecarId: string, seq: number): AuditCheckpointData => ({
  sidecarId,
  seq,
  headHash: hash(seq + 1),
  checkpointTime: new Date(Date.UTC(2026, 10, 22, 5, 0, seq)).toISOString(),
  mac: '',
});

function describeCheckpoints(factory: TestDatabaseFactory): void {
  describe(`audit checkpoints: ${factory.name}`, () => {
    let t: TestDatabase;
    let repo: AuditCheckpointRepository;

    beforeAll(async () => {
      t = await factory.create();
      await migrate(t.db);
      const tenants = new TenantRepository(t.db);
      for (const id of ['acme', 'globex']) await tenants.create({ tenantId: id });
      repo = new AuditCheckpointRepository(t.db);
    }, 60_000);
    afterAll(async () => t?.dispose());

    it('ingest is idempotent by (tenant, sidecar, seq)', async () => {
      const batch = [checkpoint('n1', 0), checkpoint('n1', 5), checkpoint('n2', 3)];
      expect(await repo.ingest('acme', batch)).toEqual({ accepted: 3, duplicates: 0 });
      const retried = [{ ...checkpoint('n1', 5), headHash: hash(999) }, checkpoint('n1', 9)];
      expect(await repo.ingest('acme', retried)).toEqual({ accepted: 1, duplicates: 1 });
      const n1 = await repo.list('acme', 'n1');
      expect(n1.items.map((c) => [c.seq, c.headHash])).toEqual([
        [0, hash(1)],
        [5, hash(6)],
        [9, hash(10)],
      ]);
      expect(n1.items[0]?.checkpointTime).toBe('2026-11-22T05:00:00.000000Z');
    });

    it('lists by sidecar then seq, in stable pages', async () => {
      const first = await repo.list('acme', '', { pageSize: 2 });
      expect(first.items.map((c) => `${c.sidecarId}:${c.seq}`)).toEqual(['n1:0', 'n1:5']);
      const second = await repo.list('acme', '', { pageSize: 2, pageToken: first.nextPageToken });
      expect(second.items.map((c) => `${c.sidecarId}:${c.seq}`)).toEqual(['n1:9', 'n2:3']);
      expect(second.nextPageToken).toBe('');
    });

    it('tenants are isolated, and stored checkpoints cannot be rewritten or deleted', async () => {
      expect((await repo.list('globex', '')).items).toEqual([]);
      const update = inTenant(t.db, 'acme', (tx) => tx.query(`UPDATE audit_checkpoints SET head_hash = $1`, [hash(7)]));
      await expect(update).rejects.toThrow();
      const del = inTenant(t.db, 'acme', (tx) => tx.query(`DELETE FROM audit_checkpoints`));
      await expect(del).rejects.toThrow();
      const foreign = inTenant(t.db, 'globex', (tx) =>
        tx.query(`INSERT INTO audit_checkpoints (tenant_id, sidecar_id, seq, head_hash, checkpoint_time) VALUES ('acme', 'evil', 0, $1, now())`, [hash(1)]),
      );
      await expect(foreign).rejects.toThrow();
      expect((await repo.list('acme', '')).items).toHaveLength(4);
    });
  });
}

describeCheckpoints(pgliteFactory);
if (process.env.DATABASE_URL) describeCheckpoints(postgresFactory(process.env.DATABASE_URL));
