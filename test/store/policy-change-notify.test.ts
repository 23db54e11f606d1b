/**
 * What the policy push builds on, on each engine: a committed policy change NOTIFYs its
 * tenant on `bulwark_policy_changes` (a refused one does not), a second handle on the
 * database hears it (another control-plane replica), and `latestRevision` moves with every
 * change, tombstones included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyCompiler } from '../../src/control/policy-compiler.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { PolicyRepository } from '../../src/store/policy-repository.js';
import { TenantRepository } from '../../src/store/tenant-repository.js';
import { pgliteFactory, postgresFactory, type TestDatabase, type TestDatabaseFactory } from './test-databases.js';

const compile = createPolicyCompiler({ BULWARK_HASH_SALT: 'notify-test' });
const yaml = (budget: number) => `apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  timeBudgetMs: ${budget}\n`;
const actor = { subject: 'tester' };

/** Resolves with the payloads heard until `predicate` holds (or rejects after 5 s). */
function heard(list: (string | undefined)[], predicate: (l: (string | undefined)[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (predicate(list)) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() - started > 5000) {
        clearInterval(tick);
        reject(new Error(`not heard: ${JSON.stringify(list)}`));
      }
    }, 10);
  });
}

function describeNotify(factory: TestDatabaseFactory): void {
  describe(`policy change notifications: ${factory.name}`, () => {
    let t: TestDatabase;
    let second: Database;
    let policies: PolicyRepository;

    beforeAll(async () => {
      t = await factory.create();
      await migrate(t.db);
      second = await t.openSecond();
      const tenants = new TenantRepository(t.db);
      await tenants.create({ tenantId: 'acme' });
      await tenants.create({ tenantId: 'globex' });
      policies = new PolicyRepository(t.db, compile);
    }, 60_000);
    afterAll(async () => t?.dispose());

    it('a committed change notifies its tenant on another handle; a refused one does not', async () => {
      const payloads: (string | undefined)[] = [];
      const stop = await second.listen('bulwark_policy_changes', (p) => payloads.push(p));
      try {
        await expect(policies.create('acme', { policyId: 'main', sourceYaml: 'not: [valid' }, actor)).rejects.toThrow();
        await policies.create('globex', { policyId: 'main', sourceYaml: yaml(30) }, actor);
        await heard(payloads, (l) => l.includes('globex'));
        expect(payloads).toEqual(['globex']);
        await policies.create('acme', { policyId: 'main', sourceYaml: yaml(30) }, actor);
        await heard(payloads, (l) => l.includes('acme'));
      } finally {
        await stop();
      }
      const count = payloads.length;
      await policies.update('acme', { policyId: 'main', sourceYaml: yaml(31), expectedVersion: 1 }, actor);
      await new Promise((r) => setTimeout(r, 200));
      expect(payloads).toHaveLength(count);
    });

    it('latestRevision is 0 for no policies and follows every change, deletes included', async () => {
      const tenants = new TenantRepository(t.db);
      await tenants.create({ tenantId: 'initech' });
      expect(await policies.latestRevision('initech')).toBe(0n);
      const created = await policies.create('initech', { policyId: 'main', sourceYaml: yaml(30) }, actor);
      expect(await policies.latestRevision('initech')).toBe(created.revision);
      const other = await policies.create('globex', { policyId: 'second', sourceYaml: yaml(30) }, actor);
      expect(await policies.latestRevision('initech')).toBe(created.revision);
      const tomb = await policies.delete('initech', { policyId: 'main' }, actor);
      expect(tomb.revision).toBeGreaterThan(other.revision);
      expect(await policies.latestRevision('initech')).toBe(tomb.revision);
      expect(await policies.currentVersions('initech')).toEqual([]);
    });
  });
}

describeNotify(pgliteFactory);
const url = process.env.DATABASE_URL;
if (url) describeNotify(postgresFactory(url));
else describe.skip('policy change notifications: postgres (DATABASE_URL is not set)', () => it('needs a PostgreSQL server', () => undefined));
