/**
 * FleetRepository.recordPolicyResults on each engine: a batch of ACKs and NACKs of several
 * sidecars lands in one call, the last ACK and the last NACK per (node, tenant) win, other
 * nodes are untouched, and a tenant admin sees the outcome through listSidecars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetRepository } from '../../src/store/fleet-repository.js';
import { migrate } from '../../src/store/migrate.js';
import { TenantRepository } from '../../src/store/tenant-repository.js';
import { pgliteFactory, postgresFactory, type TestDatabase, type TestDatabaseFactory } from './test-databases.js';

function describeResults(factory: TestDatabaseFactory): void {
  describe(`fleet policy results: ${factory.name}`, () => {
    let t: TestDatabase;
    let fleet: FleetRepository;

    beforeAll(async () => {
      t = await factory.create();
      await migrate(t.db);
      const tenants = new TenantRepository(t.db);
      for (const id of ['acme', 'globex']) await tenants.create({ tenantId: id });
      fleet = new FleetRepository(t.db);
      for (const nodeId of ['n1', 'n2', 'n3']) await fleet.upsertSidecarStatus({ nodeId, sidecarVersion: '1', tenantIds: ['acme'] });
    }, 60_000);
    afterAll(async () => t?.dispose());

    it('writes a mixed batch; per node and tenant the last ACK and last NACK win', async () => {
      await fleet.recordPolicyResults([
        { nodeId: 'n1', tenantId: 'acme', policyVersion: 'r1' },
        { nodeId: 'n1', tenantId: 'acme', policyVersion: 'r2' },
        { nodeId: 'n2', tenantId: 'acme', policyVersion: 'r2', error: 'keyEnv K is not set' },
        { nodeId: 'n2', tenantId: 'acme', policyVersion: 'r1' },
        { nodeId: 'n1', tenantId: 'globex', policyVersion: 'r7' },
      ]);
      const acme = await fleet.listSidecars('acme');
      const row = (n: string) => acme.find((s) => s.nodeId === n);
      expect(row('n1')).toMatchObject({ ackedPolicyVersion: 'r2', nackedPolicyVersion: '', nackError: '' });
      expect(row('n2')).toMatchObject({ ackedPolicyVersion: 'r1', nackedPolicyVersion: 'r2', nackError: 'keyEnv K is not set' });
      expect(row('n3')).toMatchObject({ ackedPolicyVersion: '', nackedPolicyVersion: '' });
      expect(row('n1')?.ackedAt).not.toBe('');
      const globex = await fleet.listSidecars('globex');
      expect(globex.map((s) => [s.nodeId, s.ackedPolicyVersion])).toEqual([['n1', 'r7']]);
    });

    it('an empty batch is a no-op; a NACK error is cut to 2000 characters', async () => {
      await fleet.recordPolicyResults([]);
      await fleet.recordPolicyResults([{ nodeId: 'n3', tenantId: 'acme', policyVersion: 'r9', error: 'x'.repeat(5000) }]);
      const n3 = (await fleet.listSidecars('acme')).find((s) => s.nodeId === 'n3');
      expect(n3?.nackError).toHaveLength(2000);
    });
  });
}

describeResults(pgliteFactory);
const url = process.env.DATABASE_URL;
if (url) describeResults(postgresFactory(url));
else describe.skip('fleet policy results: postgres (DATABASE_URL is not set)', () => it('needs a PostgreSQL server', () => undefined));
