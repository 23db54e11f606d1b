/** GuardrailRuleService: deny/allow rules of a policy; each change is a new policy version. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  GuardrailRuleKind,
  type GuardrailRule,
  type GuardrailRuleSchema,
  type GuardrailRuleService,
} from '../../../gen/bulwark/v1/guardrail_rule_service_pb.js';
import type { GuardrailRuleRepository } from '../../store/guardrail-rule-repository.js';
import type { GuardrailRuleData, GuardrailRuleKindName, GuardrailRuleRecord } from '../../store/policy-records.js';
import { tenantOf } from '../auth/authorize.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { CallContext, ServiceHandlers } from '../grpc/unary-service.js';
import { checkPolicyId } from './policy-admin-service.js';
import { actionFromProto, actionToProto, directionFromProto, directionToProto, severityFromProto, severityToProto, timestampFromIso } from './proto-values.js';

const MAX_PATTERN_LENGTH = 4096;
const MAX_PHRASES = 500;
const MAX_PHRASE_LENGTH = 200;
const MAX_DESCRIPTION_LENGTH = 500;

const KIND_NAMES: Partial<Record<GuardrailRuleKind, GuardrailRuleKindName>> = {
  [GuardrailRuleKind.DENY_PATTERN]: 'deny_pattern',
  [GuardrailRuleKind.DENY_PHRASES]: 'deny_phrases',
  [GuardrailRuleKind.ALLOW_PATTERN]: 'allow_pattern',
};
const KIND_VALUES: Record<GuardrailRuleKindName, GuardrailRuleKind> = {
  deny_pattern: GuardrailRuleKind.DENY_PATTERN,
  deny_phrases: GuardrailRuleKind.DENY_PHRASES,
  allow_pattern: GuardrailRuleKind.ALLOW_PATTERN,
};

/**
 * Validates the shape of a rule (field by kind, lengths); the pattern itself is validated by
 * compiling the policy with it (RE2, as the sidecar will).
 */
export function ruleFromProto(rule: GuardrailRule | undefined): { policyId: string; data: GuardrailRuleData } {
  if (!rule) throw invalidArgument('rule is required');
  const policyId = checkPolicyId(rule.policyId, 'rule.policy_id');
  const ruleId = checkPolicyId(rule.ruleId, 'rule.rule_id');
  const kind = KIND_NAMES[rule.kind];
  if (!kind) throw invalidArgument('rule.kind must be DENY_PATTERN, DENY_PHRASES or ALLOW_PATTERN');
  if (rule.description.length > MAX_DESCRIPTION_LENGTH) throw invalidArgument(`rule.description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
  const data: GuardrailRuleData = {
    ruleId,
    kind,
    pattern: '',
    phrases: [],
    action: '',
    severity: '',
    directions: [],
    caseSensitive: false,
    description: rule.description,
  };
  if (kind === 'deny_phrases') {
    if (rule.pattern) throw invalidArgument('rule.pattern is not used by DENY_PHRASES rules (use phrases)');
    if (rule.phrases.length === 0 || rule.phrases.length > MAX_PHRASES) throw invalidArgument(`rule.phrases needs 1 to ${MAX_PHRASES} phrases`);
    if (rule.phrases.some((p) => p.trim() === '' || p.length > MAX_PHRASE_LENGTH)) {
      throw invalidArgument(`every phrase must be non-empty and at most ${MAX_PHRASE_LENGTH} characters`);
    }
    if (rule.caseSensitive) throw invalidArgument('rule.case_sensitive applies to DENY_PATTERN rules only');
    data.phrases = [...rule.phrases];
  } else {
    if (!rule.pattern || rule.pattern.length > MAX_PATTERN_LENGTH) throw invalidArgument(`rule.pattern needs 1 to ${MAX_PATTERN_LENGTH} characters`);
    if (rule.phrases.length > 0) throw invalidArgument('rule.phrases is used by DENY_PHRASES rules only');
    data.pattern = rule.pattern;
  }
  if (kind === 'allow_pattern') {
    // Allow entries are plain patterns in spec.allowList: they carry no decision of their own.
    if (rule.action || rule.severity || rule.directions.length > 0 || rule.caseSensitive) {
      throw invalidArgument('ALLOW_PATTERN rules take no action, severity, directions or case_sensitive');
    }
    return { policyId, data };
  }
  data.action = actionFromProto(rule.action, 'rule.action');
  data.severity = rule.severity ? severityFromProto(rule.severity, 'rule.severity') : '';
  data.directions = rule.directions.map((d, i) => directionFromProto(d, `rule.directions[${i}]`));
  if (new Set(data.directions).size !== data.directions.length) throw invalidArgument('rule.directions lists a direction twice');
  data.caseSensitive = kind === 'deny_pattern' && rule.caseSensitive;
  return { policyId, data };
}

export function toRuleMessage(rule: GuardrailRuleRecord): MessageInitShape<typeof GuardrailRuleSchema> {
  return {
    ruleId: rule.ruleId,
    policyId: rule.policyId,
    kind: KIND_VALUES[rule.kind],
    pattern: rule.pattern,
    phrases: rule.phrases,
    action: actionToProto(rule.action),
    severity: severityToProto(rule.severity),
    directions: rule.directions.map(directionToProto),
    caseSensitive: rule.caseSensitive,
    description: rule.description,
    createTime: timestampFromIso(rule.createdAt),
    updateTime: timestampFromIso(rule.updatedAt),
  };
}

const actorOf = (ctx: CallContext) => ({ subject: ctx.principal.subject });

export function guardrailRuleHandlers(rules: GuardrailRuleRepository): ServiceHandlers<typeof GuardrailRuleService> {
  return {
    async createGuardrailRule(req, ctx) {
      const { policyId, data } = ruleFromProto(req.rule);
      const result = await rules.create(tenantOf(ctx.principal), policyId, data, req.expectedPolicyVersion, actorOf(ctx));
      return { rule: result.rule && toRuleMessage(result.rule), policyVersion: result.policyVersion, compiledVersion: result.compiledVersion };
    },

    async getGuardrailRule(req, ctx) {
      const rule = await rules.get(tenantOf(ctx.principal), checkPolicyId(req.policyId), checkPolicyId(req.ruleId, 'rule_id'));
      return { rule: toRuleMessage(rule) };
    },

    async listGuardrailRules(req, ctx) {
      const page = await rules.list(tenantOf(ctx.principal), checkPolicyId(req.policyId), { pageSize: req.pageSize, pageToken: req.pageToken });
      return { rules: page.items.map(toRuleMessage), nextPageToken: page.nextPageToken };
    },

    async updateGuardrailRule(req, ctx) {
      const { policyId, data } = ruleFromProto(req.rule);
      const result = await rules.update(tenantOf(ctx.principal), policyId, data, req.expectedPolicyVersion, actorOf(ctx));
      return { rule: result.rule && toRuleMessage(result.rule), policyVersion: result.policyVersion, compiledVersion: result.compiledVersion };
    },

    async deleteGuardrailRule(req, ctx) {
      const result = await rules.delete(
        tenantOf(ctx.principal),
        checkPolicyId(req.policyId),
        checkPolicyId(req.ruleId, 'rule_id'),
        req.expectedPolicyVersion,
        actorOf(ctx),
      );
      return { policyVersion: result.policyVersion, compiledVersion: result.compiledVersion };
    },
  };
}
