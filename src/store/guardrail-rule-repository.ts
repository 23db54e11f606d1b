/**
 * Guardrail rules of a policy. A rule is part of the policy aggregate: each change
 * recompiles the policy with the new rule set and appends a policy version, in the same
 * transaction, so a rule that breaks compilation (bad RE2, id clash) is never stored.
 */
import type { Database, SqlExecutor } from './database.js';
import { decodePageToken, effectivePageSize, queryFingerprint, toPage, type Page } from './page-token.js';
import type { Actor } from './policy-repository.js';
import type { GuardrailRuleData, GuardrailRuleRecord, PolicyChange, PolicyCompiler } from './policy-records.js';
import { appendVersion, lockTenantPolicies, readLiveHead, readRules, readVersion, RULE_COLUMNS, toRuleData, type RuleRow } from './policy-version-writer.js';
import { inTenant } from './scoped-session.js';
import { StoreError, translateConstraintError } from './store-error.js';

/** The result of a rule change: the rule (absent for deletes) and the policy version it made. */
export interface RuleChangeResult {
  rule?: GuardrailRuleRecord;
  policyVersion: number;
  compiledVersion: string;
}

function toRuleRecord(row: RuleRow): GuardrailRuleRecord {
  return { ...toRuleData(row), policyId: row.policy_id, createdAt: row.created_at, updatedAt: row.updated_at };
}

async function selectRule(tx: SqlExecutor, policyId: string, ruleId: string): Promise<GuardrailRuleRecord | undefined> {
  const { rows } = await tx.query<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM guardrail_rules WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1 AND rule_id = $2`,
    [policyId, ruleId],
  );
  return rows[0] && toRuleRecord(rows[0]);
}

function ruleParams(policyId: string, rule: GuardrailRuleData): unknown[] {
  return [
    policyId,
    rule.ruleId,
    rule.kind,
    rule.pattern,
    rule.phrases,
    rule.action,
    rule.severity,
    rule.directions,
    rule.caseSensitive,
    rule.description,
  ];
}

export class GuardrailRuleRepository {
  constructor(
    private readonly db: Database,
    private readonly compile: PolicyCompiler,
  ) {}

  async create(tenantId: string, policyId: string, rule: GuardrailRuleData, expectedPolicyVersion: number | undefined, actor: Actor): Promise<RuleChangeResult> {
    return this.change(tenantId, policyId, expectedPolicyVersion, actor, 'rule-create', async (tx) => {
      if (await selectRule(tx, policyId, rule.ruleId)) {
        throw new StoreError('already-exists', `rule "${rule.ruleId}" already exists in policy "${policyId}"`);
      }
      await tx.query(
        `INSERT INTO guardrail_rules (tenant_id, policy_id, rule_id, kind, pattern, phrases, action, severity, directions, case_sensitive, description)
         VALUES (bulwark_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        ruleParams(policyId, rule),
      );
      return rule.ruleId;
    });
  }

  async update(tenantId: string, policyId: string, rule: GuardrailRuleData, expectedPolicyVersion: number | undefined, actor: Actor): Promise<RuleChangeResult> {
    return this.change(tenantId, policyId, expectedPolicyVersion, actor, 'rule-update', async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE guardrail_rules SET kind = $3, pattern = $4, phrases = $5, action = $6, severity = $7, directions = $8,
           case_sensitive = $9, description = $10, updated_at = now()
         WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1 AND rule_id = $2`,
        ruleParams(policyId, rule),
      );
      if (rowCount === 0) throw new StoreError('not-found', `rule "${rule.ruleId}" does not exist in policy "${policyId}"`);
      return rule.ruleId;
    });
  }

  async delete(tenantId: string, policyId: string, ruleId: string, expectedPolicyVersion: number | undefined, actor: Actor): Promise<RuleChangeResult> {
    return this.change(tenantId, policyId, expectedPolicyVersion, actor, 'rule-delete', async (tx) => {
      const { rowCount } = await tx.query(
        `DELETE FROM guardrail_rules WHERE tenant_id = bulwark_current_tenant() AND policy_id = $1 AND rule_id = $2`,
        [policyId, ruleId],
      );
      if (rowCount === 0) throw new StoreError('not-found', `rule "${ruleId}" does not exist in policy "${policyId}"`);
      return undefined;
    });
  }

  async get(tenantId: string, policyId: string, ruleId: string): Promise<GuardrailRuleRecord> {
    return inTenant(this.db, tenantId, async (tx) => {
      const rule = await selectRule(tx, policyId, ruleId);
      if (!rule) throw new StoreError('not-found', `rule "${ruleId}" does not exist in policy "${policyId}"`);
      return rule;
    });
  }

  async list(tenantId: string, policyId: string, options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<GuardrailRuleRecord>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'rules', policyId });
    const after = decodePageToken(options.pageToken, fingerprint, 1);
    return inTenant(this.db, tenantId, async (tx) => {
      await readLiveHead(tx, policyId);
      const { rows } = await tx.query<RuleRow>(
        `SELECT ${RULE_COLUMNS} FROM guardrail_rules WHERE policy_id = $1 AND ($2::text IS NULL OR rule_id > $2) ORDER BY rule_id LIMIT $3`,
        [policyId, after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, toRuleRecord, (r) => [r.rule_id], fingerprint);
    });
  }

  /** Lock, check the policy version, apply `mutate`, recompile with the new rule set, append a version. */
  private async change(
    tenantId: string,
    policyId: string,
    expectedPolicyVersion: number | undefined,
    actor: Actor,
    change: PolicyChange,
    mutate: (tx: SqlExecutor) => Promise<string | undefined>,
  ): Promise<RuleChangeResult> {
    try {
      return await inTenant(this.db, tenantId, async (tx) => {
        await lockTenantPolicies(tx);
        const head = await readLiveHead(tx, policyId, expectedPolicyVersion);
        const current = await readVersion(tx, policyId, head.currentVersion);
        if (!current) throw new Error(`policy "${policyId}" head points at a missing version`);
        const ruleId = await mutate(tx);
        const rules = await readRules(tx, policyId);
        const compiled = this.compile({ tenantId, policyId, sourceYaml: current.sourceYaml, rules });
        const version = await appendVersion(tx, {
          policyId,
          version: head.currentVersion + 1,
          change,
          deleted: false,
          sourceYaml: current.sourceYaml,
          rules,
          ...compiled,
          createdBy: actor.subject,
        });
        const rule = ruleId === undefined ? undefined : await selectRule(tx, policyId, ruleId);
        return { rule, policyVersion: version.version, compiledVersion: version.compiledVersion };
      });
    } catch (err) {
      translateConstraintError(err, { tenantId });
    }
  }
}
