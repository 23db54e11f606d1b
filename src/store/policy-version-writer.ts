/**
 * The steps every policy change shares, used inside one tenant transaction by the policy
 * and guardrail-rule repositories: lock the tenant's policies, read the head, check the
 * expected version, append an immutable version, move the head.
 */
import type { SqlExecutor } from './database.js';
import type { GuardrailRuleData, PolicyChange, PolicyVersionRecord } from './policy-records.js';
import { StoreError } from './store-error.js';
import { toBigInt, toNumber, toText, toTextArray } from './sql-values.js';

/** The mutable head of a policy. */
export interface PolicyHead {
  policyId: string;
  currentVersion: number;
  deleted: boolean;
}

/**
 * Serialises policy writers of the current tenant until commit. Besides making
 * read-check-write safe, it makes revisions (drawn while the lock is held) commit in order
 * within a tenant, so a reader may use "revision > last seen" as a watermark.
 */
export async function lockTenantPolicies(tx: SqlExecutor): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('bulwark.policies'), hashtext(bulwark_current_tenant()))`);
}

/** The head row, or undefined when the policy never existed. */
export async function readHead(tx: SqlExecutor, policyId: string): Promise<PolicyHead | undefined> {
  const { rows } = await tx.query<{ policy_id: string; current_version: unknown; deleted: boolean }>(
    `SELECT policy_id, current_version, deleted FROM policies WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1`,
    [policyId],
  );
  const row = rows[0];
  return row && { policyId: row.policy_id, currentVersion: toNumber(row.current_version), deleted: row.deleted };
}

/** The head of a live policy, checked against the caller's expected version (0/undefined = any). */
export async function readLiveHead(tx: SqlExecutor, policyId: string, expectedVersion?: number): Promise<PolicyHead> {
  const head = await readHead(tx, policyId);
  if (!head || head.deleted) throw new StoreError('not-found', `policy "${policyId}" does not exist`);
  if (expectedVersion && expectedVersion !== head.currentVersion) {
    throw new StoreError('conflict', `policy "${policyId}" is at version ${head.currentVersion}, not ${expectedVersion}: re-read it and retry`);
  }
  return head;
}

/** SELECT list that yields a {@link PolicyVersionRecord} through {@link toVersionRecord}. */
export const VERSION_COLUMNS = `v.tenant_id, v.policy_id, v.version, v.revision, v.change, v.deleted, v.source_yaml, v.rules,
  v.effective_yaml, v.compiled_version, v.created_by, bulwark_iso(v.created_at) AS created_at`;

export interface VersionRow {
  tenant_id: string;
  policy_id: string;
  version: unknown;
  revision: unknown;
  change: PolicyChange;
  deleted: boolean;
  source_yaml: string;
  rules: unknown;
  effective_yaml: string;
  compiled_version: string;
  created_by: string;
  created_at: string;
}

export function toVersionRecord(row: VersionRow): PolicyVersionRecord {
  return {
    tenantId: row.tenant_id,
    policyId: row.policy_id,
    version: toNumber(row.version),
    revision: toBigInt(row.revision),
    change: row.change,
    deleted: row.deleted,
    sourceYaml: row.source_yaml,
    rules: Array.isArray(row.rules) ? (row.rules as GuardrailRuleData[]) : [],
    effectiveYaml: row.effective_yaml,
    compiledVersion: row.compiled_version,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** The version row a head points to. */
export async function readVersion(tx: SqlExecutor, policyId: string, version: number): Promise<PolicyVersionRecord | undefined> {
  const { rows } = await tx.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM policy_versions v WHERE v.tenant_id = bulwark_current_tenant() AND v.policy_id = $1 AND v.version = $2`,
    [policyId, version],
  );
  return rows[0] && toVersionRecord(rows[0]);
}

/** The policy's guardrail rules in their merge order (by rule id, so compilation is deterministic). */
export async function readRules(tx: SqlExecutor, policyId: string): Promise<GuardrailRuleData[]> {
  const { rows } = await tx.query<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM guardrail_rules WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1 ORDER BY rule_id`,
    [policyId],
  );
  return rows.map((r) => toRuleData(r));
}

export const RULE_COLUMNS = `policy_id, rule_id, kind, pattern, phrases, action, severity, directions, case_sensitive, description,
  bulwark_iso(created_at) AS created_at, bulwark_iso(updated_at) AS updated_at`;

export interface RuleRow {
  policy_id: string;
  rule_id: string;
  kind: GuardrailRuleData['kind'];
  pattern: string;
  phrases: unknown;
  action: GuardrailRuleData['action'];
  severity: GuardrailRuleData['severity'];
  directions: unknown;
  case_sensitive: boolean;
  description: string;
  created_at: string;
  updated_at: string;
}

export function toRuleData(row: RuleRow): GuardrailRuleData {
  return {
    ruleId: row.rule_id,
    kind: row.kind,
    pattern: toText(row.pattern),
    phrases: toTextArray(row.phrases),
    action: row.action,
    severity: row.severity,
    directions: toTextArray(row.directions) as GuardrailRuleData['directions'],
    caseSensitive: row.case_sensitive,
    description: toText(row.description),
  };
}

/** What a new version consists of. */
export interface NewVersion {
  policyId: string;
  version: number;
  change: PolicyChange;
  deleted: boolean;
  sourceYaml: string;
  rules: GuardrailRuleData[];
  effectiveYaml: string;
  compiledVersion: string;
  createdBy: string;
}

/** Inserts the version row and points the head at it (the head row must exist). */
export async function appendVersion(tx: SqlExecutor, v: NewVersion): Promise<PolicyVersionRecord> {
  await tx.query(
    `UPDATE policies SET current_version = $2, deleted = $3, updated_at = now()
     WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1`,
    [v.policyId, v.version, v.deleted],
  );
  const { rows } = await tx.query<VersionRow>(
    `INSERT INTO policy_versions AS v (tenant_id, policy_id, version, change, deleted, source_yaml, rules, effective_yaml, compiled_version, created_by)
     VALUES (bulwark_current_tenant(), $1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)
     RETURNING ${VERSION_COLUMNS}`,
    [v.policyId, v.version, v.change, v.deleted, v.sourceYaml, JSON.stringify(v.rules), v.effectiveYaml, v.compiledVersion, v.createdBy],
  );
  return toVersionRecord(rows[0] as VersionRow);
}
