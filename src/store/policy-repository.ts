/**
 * Policies of a tenant: every change is compiled (inside the transaction) and appended as an
 * immutable version; `policies` only points at the current one. Optimistic concurrency:
 * updates name the version they read and fail with a `conflict` when it moved.
 */
import type { Database } from './database.js';
import { decodePageToken, effectivePageSize, queryFingerprint, toPage, type Page } from './page-token.js';
import type { PolicyCompiler, PolicyVersionRecord } from './policy-records.js';
import {
  appendVersion,
  lockTenantPolicies,
  readHead,
  readLiveHead,
  readRules,
  readVersion,
  toVersionRecord,
  VERSION_COLUMNS,
  type VersionRow,
} from './policy-version-writer.js';
import { inTenant } from './scoped-session.js';
import { toBigInt } from './sql-values.js';
import { StoreError, translateConstraintError } from './store-error.js';

/** Who makes a change (the token's subject), recorded on the version. */
export interface Actor {
  subject: string;
}

export class PolicyRepository {
  constructor(
    private readonly db: Database,
    private readonly compile: PolicyCompiler,
  ) {}

  /**
   * Creates a policy at version 1, or re-creates a deleted one at its next version number
   * (numbers never repeat, so a sidecar's acknowledged version stays unambiguous).
   */
  async create(tenantId: string, input: { policyId: string; sourceYaml: string }, actor: Actor): Promise<PolicyVersionRecord> {
    try {
      return await inTenant(this.db, tenantId, async (tx) => {
        await lockTenantPolicies(tx);
        const head = await readHead(tx, input.policyId);
        if (head && !head.deleted) throw new StoreError('already-exists', `policy "${input.policyId}" already exists`);
        const compiled = this.compile({ tenantId, policyId: input.policyId, sourceYaml: input.sourceYaml, rules: [] });
        const version = head ? head.currentVersion + 1 : 1;
        if (!head) {
          await tx.query(`INSERT INTO policies (tenant_id, policy_id, current_version) VALUES (bulwark_current_tenant(), $1, $2)`, [
            input.policyId,
            version,
          ]);
        }
        return appendVersion(tx, {
          policyId: input.policyId,
          version,
          change: 'create',
          deleted: false,
          sourceYaml: input.sourceYaml,
          rules: [],
          ...compiled,
          createdBy: actor.subject,
        });
      });
    } catch (err) {
      translateConstraintError(err, { tenantId });
    }
  }

  /** The current version (version 0/undefined) or a specific one, tombstones included. */
  async get(tenantId: string, policyId: string, version?: number): Promise<PolicyVersionRecord> {
    return inTenant(this.db, tenantId, async (tx) => {
      let wanted = version;
      if (!wanted) {
        const head = await readHead(tx, policyId);
        if (!head || head.deleted) throw new StoreError('not-found', `policy "${policyId}" does not exist`);
        wanted = head.currentVersion;
      }
      const record = await readVersion(tx, policyId, wanted);
      if (!record) throw new StoreError('not-found', `policy "${policyId}" has no version ${wanted}`);
      return record;
    });
  }

  /** Live policies (current versions), ordered by id. */
  async list(tenantId: string, options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<PolicyVersionRecord>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'policies' });
    const after = decodePageToken(options.pageToken, fingerprint, 1);
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM policies p
         JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.policy_id AND v.version = p.current_version
         WHERE NOT p.deleted AND ($1::text IS NULL OR p.policy_id > $1)
         ORDER BY p.policy_id LIMIT $2`,
        [after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, toVersionRecord, (r) => [r.policy_id], fingerprint);
    });
  }

  /** Versions of one policy, newest first. */
  async listVersions(tenantId: string, policyId: string, options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<PolicyVersionRecord>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'policy-versions', policyId });
    const before = decodePageToken(options.pageToken, fingerprint, 1);
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM policy_versions v
         WHERE v.policy_id = $1 AND ($2::int IS NULL OR v.version < $2)
         ORDER BY v.version DESC LIMIT $3`,
        [policyId, before?.[0] ?? null, size + 1],
      );
      if (rows.length === 0 && !before) throw new StoreError('not-found', `policy "${policyId}" does not exist`);
      return toPage(rows, size, toVersionRecord, (r) => [Number(r.version)], fingerprint);
    });
  }

  /** Replaces the document; `expectedVersion` is required (optimistic concurrency). */
  async update(tenantId: string, input: { policyId: string; sourceYaml: string; expectedVersion: number }, actor: Actor): Promise<PolicyVersionRecord> {
    if (!input.expectedVersion) {
      return Promise.reject(new StoreError('invalid-argument', 'expected_version is required: the version the update is based on'));
    }
    return inTenant(this.db, tenantId, async (tx) => {
      await lockTenantPolicies(tx);
      const head = await readLiveHead(tx, input.policyId, input.expectedVersion);
      const rules = await readRules(tx, input.policyId);
      const compiled = this.compile({ tenantId, policyId: input.policyId, sourceYaml: input.sourceYaml, rules });
      return appendVersion(tx, {
        policyId: input.policyId,
        version: head.currentVersion + 1,
        change: 'update',
        deleted: false,
        sourceYaml: input.sourceYaml,
        rules,
        ...compiled,
        createdBy: actor.subject,
      });
    });
  }

  /**
   * Deletes a policy: its rules go, a tombstone version is appended, the history stays.
   * `expectedVersion` 0/undefined deletes whatever the current version is.
   */
  async delete(tenantId: string, input: { policyId: string; expectedVersion?: number }, actor: Actor): Promise<PolicyVersionRecord> {
    return inTenant(this.db, tenantId, async (tx) => {
      await lockTenantPolicies(tx);
      const head = await readLiveHead(tx, input.policyId, input.expectedVersion);
      await tx.query(`DELETE FROM guardrail_rules WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1`, [input.policyId]);
      return appendVersion(tx, {
        policyId: input.policyId,
        version: head.currentVersion + 1,
        change: 'delete',
        deleted: true,
        sourceYaml: '',
        rules: [],
        effectiveYaml: '',
        compiledVersion: '',
        createdBy: actor.subject,
      });
    });
  }

  /**
   * Dry run: compiles `sourceYaml` as an update of `policyId` would (with its current rules
   * when `includeRules`), without writing anything.
   */
  async validate(tenantId: string, input: { policyId: string; sourceYaml: string; includeRules: boolean }) {
    return inTenant(this.db, tenantId, async (tx) => {
      const rules = input.includeRules ? await readRules(tx, input.policyId) : [];
      return this.compile({ tenantId, policyId: input.policyId, sourceYaml: input.sourceYaml, rules });
    });
  }

  /**
   * Versions of the tenant written after `afterRevision`, in revision order: what the push
   * service needs to bring a sidecar's copy of the tenant up to date.
   */
  async listChangesSince(tenantId: string, afterRevision: bigint, limit = 500): Promise<PolicyVersionRecord[]> {
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM policy_versions v WHERE v.revision > $1 ORDER BY v.revision LIMIT $2`,
        [afterRevision.toString(), limit],
      );
      return rows.map(toVersionRecord);
    });
  }

  /**
   * The tenant's highest revision (0 when it never had a policy), tombstones included: a
   * cheap "did anything change since" probe for the push service.
   */
  async latestRevision(tenantId: string): Promise<bigint> {
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<{ revision: unknown }>(
        `SELECT coalesce(max(v.revision), 0) AS revision FROM policy_versions v WHERE v.tenant_id = bulwark_current_tenant()`,
      );
      return toBigInt(rows[0]?.revision ?? 0);
    });
  }

  /** The current version of every live policy of the tenant (the tenant's whole policy set). */
  async currentVersions(tenantId: string): Promise<PolicyVersionRecord[]> {
    return inTenant(this.db, tenantId, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM policies p
         JOIN policy_versions v ON v.tenant_id = p.tenant_id AND v.policy_id = p.policy_id AND v.version = p.current_version
         WHERE NOT p.deleted ORDER BY p.policy_id`,
      );
      return rows.map(toVersionRecord);
    });
  }
}
