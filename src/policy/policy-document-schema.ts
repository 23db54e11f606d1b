/**
 * The policy file format: the shape users write (every spec field optional) and its
 * validation. Validation is strict: unknown fields, wrong types and unknown enum values are
 * errors, because a typo such as `acton: BLOCK` must never silently leave a weaker default.
 *
 * Two kinds of documents share one file (separated by `---`):
 *   - `kind: Policy`          one policy of one tenant (metadata.tenant / metadata.name)
 *   - `kind: PolicySettings`  settings of the whole set (at most one), e.g. `unknownTenant`
 */
import type { ActionName, DirectionName, SeverityName } from '../detectors/types.js';
import type { CustomRuleSpec, FailMode, OperatorConfig } from './types.js';
import { validateOutputGuards, type OutputGuardsInput } from './output-guards-schema.js';
import { AGENT_ACTION_SPEC_KEYS, validateAgentActions, type AgentActionsInput } from './agent-actions-schema.js';
import type { IssueCollector } from './validation-issues.js';
import type { FieldPath } from './yaml-locations.js';

export const API_VERSION = 'bulwark.dev/v1';
export const ACTIONS: readonly ActionName[] = ['ALLOW', 'WARN', 'REDACT', 'BLOCK'];
export const SEVERITIES: readonly SeverityName[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
export const DIRECTIONS: readonly DirectionName[] = ['INPUT', 'OUTPUT'];
export const FAIL_MODES: readonly FailMode[] = ['closed', 'open'];

/** The threat types a policy can configure (SCANNER_ERROR is decided by `failMode`). */
export const CONFIGURABLE_THREAT_TYPES = [
  'PROMPT_INJECTION',
  'JAILBREAK',
  'PII',
  'SECRET',
  'DATA_EXFILTRATION',
  'SYSTEM_PROMPT_LEAK',
  'TOXICITY',
  'CUSTOM_RULE',
  'UNSAFE_CODE',
  'MALICIOUS_URL',
] as const;
export type ConfigurableThreatType = (typeof CONFIGURABLE_THREAT_TYPES)[number];

const OPERATOR_TYPES = ['replace', 'redact', 'mask', 'hash', 'encrypt', 'keep'] as const;

/** Tenant ids, policy names and rule ids: safe in logs, metrics labels and file names. */
const IDENTIFIER = { pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, hint: 'letters, digits, "_", ".", ":" or "-" (at most 128, starting with a letter or digit)' };
const ENTITY_NAME = { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, hint: 'an entity or secret kind name such as EMAIL_ADDRESS' };
const ENV_NAME = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, hint: 'an environment variable name' };
const REGION = { pattern: /^[A-Z]{2}$/, hint: 'a two-letter ISO 3166 region code such as US' };

/** What a user wrote for one threat type, before defaults. */
export interface ThreatRuleInput {
  minConfidence?: number;
  action?: Partial<Record<DirectionName, ActionName>>;
}

/** `spec` of a Policy document as written (all optional; merged over the built-in default). */
export interface PolicySpecInput {
  detectors?: {
    injection?: { enabled?: boolean };
    pii?: { enabled?: boolean; entities?: string[]; phoneRegions?: string[] };
    secrets?: { enabled?: boolean };
    toxicity?: { enabled?: boolean };
  };
  threats?: Partial<Record<ConfigurableThreatType, ThreatRuleInput>>;
  operators?: Record<string, OperatorConfig>;
  customRules?: CustomRuleSpec[];
  allowList?: string[];
  failMode?: FailMode;
  timeBudgetMs?: number;
  hashSalt?: string;
  encryption?: { keyEnv: string };
  /** System-prompt leaks, exfiltration, hijacked answers, unsafe code, URLs (output-guards-schema.ts). */
  outputGuards?: OutputGuardsInput;
  /** agents, actionRules, rateLimits, behaviour, actionSettings (agent-actions-schema.ts). */
  agentActions?: AgentActionsInput;
}

export interface PolicyDocumentInput {
  kind: 'Policy';
  tenant: string;
  name: string;
  labels: Record<string, string>;
  spec: PolicySpecInput;
}

export interface PolicySettingsInput {
  kind: 'PolicySettings';
  unknownTenant?: 'default' | 'reject';
}

export type DocumentInput = PolicyDocumentInput | PolicySettingsInput;

/** Validates one YAML document's plain value. Returns undefined when there were issues. */
export function validateDocument(value: unknown, issues: IssueCollector): DocumentInput | undefined {
  const before = issues.issues.length;
  const root = issues.object(value, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (!root) return undefined;
  if (root.apiVersion !== API_VERSION) {
    issues.add(['apiVersion'], `must be ${API_VERSION}`);
  }
  const kind = issues.oneOf(root.kind, ['kind'], ['Policy', 'PolicySettings'] as const);
  let result: DocumentInput | undefined;
  if (kind === 'Policy') result = validatePolicyDocument(root, issues);
  if (kind === 'PolicySettings') result = validateSettingsDocument(root, issues);
  return issues.issues.length === before ? result : undefined;
}

function validatePolicyDocument(root: Record<string, unknown>, issues: IssueCollector): PolicyDocumentInput {
  const doc: PolicyDocumentInput = { kind: 'Policy', tenant: 'default', name: 'default', labels: {}, spec: {} };
  if (root.metadata !== undefined) {
    const meta = issues.object(root.metadata, ['metadata'], ['tenant', 'name', 'labels']);
    if (meta) {
      if (meta.tenant !== undefined) doc.tenant = issues.string(meta.tenant, ['metadata', 'tenant'], IDENTIFIER) ?? doc.tenant;
      if (meta.name !== undefined) doc.name = issues.string(meta.name, ['metadata', 'name'], IDENTIFIER) ?? doc.name;
      if (meta.labels !== undefined) doc.labels = validateLabels(meta.labels, ['metadata', 'labels'], issues);
    }
  }
  if (root.spec !== undefined) doc.spec = validateSpec(root.spec, ['spec'], issues);
  return doc;
}

function validateSettingsDocument(root: Record<string, unknown>, issues: IssueCollector): PolicySettingsInput {
  const doc: PolicySettingsInput = { kind: 'PolicySettings' };
  if (root.metadata !== undefined) {
    const meta = issues.object(root.metadata, ['metadata'], ['name', 'labels']);
    if (meta?.name !== undefined) issues.string(meta.name, ['metadata', 'name'], IDENTIFIER);
    if (meta?.labels !== undefined) validateLabels(meta.labels, ['metadata', 'labels'], issues);
  }
  if (root.spec !== undefined) {
    const spec = issues.object(root.spec, ['spec'], ['unknownTenant']);
    if (spec?.unknownTenant !== undefined) {
      doc.unknownTenant = issues.oneOf(spec.unknownTenant, ['spec', 'unknownTenant'], ['default', 'reject'] as const);
    }
  }
  return doc;
}

function validateLabels(value: unknown, path: FieldPath, issues: IssueCollector): Record<string, string> {
  const labels = issues.anyKeyObject(value, path);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(labels ?? {})) {
    if (typeof v !== 'string') issues.add([...path, key], 'must be a string (quote numbers and booleans)');
    else out[key] = v;
  }
  return out;
}

function validateSpec(value: unknown, path: FieldPath, issues: IssueCollector): PolicySpecInput {
  const spec = issues.object(value, path, [
    'detectors',
    'threats',
    'operators',
    'customRules',
    'allowList',
    'failMode',
    'timeBudgetMs',
    'hashSalt',
    'encryption',
    'outputGuards',
    ...AGENT_ACTION_SPEC_KEYS,
  ]);
  const out: PolicySpecInput = {};
  if (!spec) return out;
  if (spec.detectors !== undefined) out.detectors = validateDetectors(spec.detectors, [...path, 'detectors'], issues);
  if (spec.threats !== undefined) out.threats = validateThreats(spec.threats, [...path, 'threats'], issues);
  if (spec.operators !== undefined) out.operators = validateOperators(spec.operators, [...path, 'operators'], issues);
  if (spec.customRules !== undefined) {
    out.customRules = issues.list(spec.customRules, [...path, 'customRules'], (v, p) => validateCustomRule(v, p, issues), true);
    checkUniqueRuleIds(spec.customRules, [...path, 'customRules'], issues);
  }
  if (spec.allowList !== undefined) {
    out.allowList = issues.list(spec.allowList, [...path, 'allowList'], (v, p) => issues.string(v, p), true);
  }
  if (spec.failMode !== undefined) out.failMode = issues.oneOf(spec.failMode, [...path, 'failMode'], FAIL_MODES);
  if (spec.timeBudgetMs !== undefined) {
    out.timeBudgetMs = issues.number(spec.timeBudgetMs, [...path, 'timeBudgetMs'], { min: 1, max: 60_000 });
  }
  if (spec.hashSalt !== undefined) {
    out.hashSalt = issues.string(spec.hashSalt, [...path, 'hashSalt'], { pattern: /^.{16,}$/s, hint: 'at least 16 characters long' });
  }
  if (spec.outputGuards !== undefined) out.outputGuards = validateOutputGuards(spec.outputGuards, [...path, 'outputGuards'], issues);
  const agentActions = validateAgentActions(spec, path, issues);
  if (agentActions) out.agentActions = agentActions;
  if (spec.encryption !== undefined) {
    const enc = issues.object(spec.encryption, [...path, 'encryption'], ['keyEnv']);
    if (enc) {
      const keyEnv = issues.string(enc.keyEnv, [...path, 'encryption', 'keyEnv'], ENV_NAME);
      if (keyEnv) out.encryption = { keyEnv };
    }
  }
  return out;
}

function validateDetectors(value: unknown, path: FieldPath, issues: IssueCollector): NonNullable<PolicySpecInput['detectors']> {
  const detectors = issues.object(value, path, ['injection', 'pii', 'secrets', 'toxicity']);
  const out: NonNullable<PolicySpecInput['detectors']> = {};
  if (!detectors) return out;
  for (const name of ['injection', 'secrets', 'toxicity'] as const) {
    if (detectors[name] === undefined) continue;
    const d = issues.object(detectors[name], [...path, name], ['enabled']);
    if (d?.enabled !== undefined) {
      const enabled = issues.boolean(d.enabled, [...path, name, 'enabled']);
      out[name] = enabled === undefined ? {} : { enabled };
    } else if (d) {
      out[name] = {};
    }
  }
  if (detectors.pii !== undefined) {
    const pii = issues.object(detectors.pii, [...path, 'pii'], ['enabled', 'entities', 'phoneRegions']);
    if (pii) {
      const piiOut: NonNullable<NonNullable<PolicySpecInput['detectors']>['pii']> = {};
      if (pii.enabled !== undefined) piiOut.enabled = issues.boolean(pii.enabled, [...path, 'pii', 'enabled']);
      if (pii.entities !== undefined) {
        piiOut.entities = issues.list(pii.entities, [...path, 'pii', 'entities'], (v, p) => issues.string(v, p, ENTITY_NAME), true);
      }
      if (pii.phoneRegions !== undefined) {
        piiOut.phoneRegions = issues.list(pii.phoneRegions, [...path, 'pii', 'phoneRegions'], (v, p) => issues.string(v, p, REGION), true);
      }
      out.pii = piiOut;
    }
  }
  return out;
}

function validateThreats(value: unknown, path: FieldPath, issues: IssueCollector): NonNullable<PolicySpecInput['threats']> {
  const threats = issues.object(value, path, CONFIGURABLE_THREAT_TYPES);
  const out: NonNullable<PolicySpecInput['threats']> = {};
  if (!threats) return out;
  for (const type of CONFIGURABLE_THREAT_TYPES) {
    if (threats[type] === undefined) continue;
    const rule = issues.object(threats[type], [...path, type], ['minConfidence', 'action']);
    if (!rule) continue;
    const ruleOut: ThreatRuleInput = {};
    if (rule.minConfidence !== undefined) {
      ruleOut.minConfidence = issues.number(rule.minConfidence, [...path, type, 'minConfidence'], { min: 0, max: 1 });
    }
    if (rule.action !== undefined) ruleOut.action = validateDirectionalAction(rule.action, [...path, type, 'action'], issues);
    out[type] = ruleOut;
  }
  return out;
}

/** `action: BLOCK` (both directions) or `action: { input: BLOCK, output: WARN }` (either may be left out). */
function validateDirectionalAction(
  value: unknown,
  path: FieldPath,
  issues: IssueCollector,
): Partial<Record<DirectionName, ActionName>> | undefined {
  if (typeof value === 'string' || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const action = issues.oneOf(value, path, ACTIONS);
    return action ? { INPUT: action, OUTPUT: action } : undefined;
  }
  const perDirection = issues.object(value, path, ['input', 'output']);
  if (!perDirection) return undefined;
  const out: Partial<Record<DirectionName, ActionName>> = {};
  if (perDirection.input !== undefined) out.INPUT = issues.oneOf(perDirection.input, [...path, 'input'], ACTIONS);
  if (perDirection.output !== undefined) out.OUTPUT = issues.oneOf(perDirection.output, [...path, 'output'], ACTIONS);
  return out;
}

function validateOperators(value: unknown, path: FieldPath, issues: IssueCollector): Record<string, OperatorConfig> {
  const operators = issues.anyKeyObject(value, path);
  const out: Record<string, OperatorConfig> = {};
  for (const [entity, config] of Object.entries(operators ?? {})) {
    if (!ENTITY_NAME.pattern.test(entity)) {
      issues.add([...path, entity], `must be ${ENTITY_NAME.hint} or DEFAULT`, 'key');
      continue;
    }
    const operator = validateOperator(config, [...path, entity], issues);
    if (operator) out[entity] = operator;
  }
  return out;
}

/**
 * Presidio's operators. Shorthand `EMAIL_ADDRESS: hash` is accepted for operators without
 * required parameters; `mask` needs `charsToMask`.
 */
function validateOperator(value: unknown, path: FieldPath, issues: IssueCollector): OperatorConfig | undefined {
  const config = typeof value === 'string' ? { type: value } : value;
  const fields = issues.object(config, path, ['type', 'newValue', 'maskingChar', 'charsToMask', 'fromEnd']);
  if (!fields) return undefined;
  const typePath = typeof value === 'string' ? path : [...path, 'type'];
  const type = issues.oneOf(fields.type, typePath, OPERATOR_TYPES);
  if (!type) return undefined;
  const allowed: Record<(typeof OPERATOR_TYPES)[number], string[]> = {
    replace: ['newValue'],
    redact: [],
    mask: ['maskingChar', 'charsToMask', 'fromEnd'],
    hash: [],
    encrypt: [],
    keep: [],
  };
  for (const key of Object.keys(fields)) {
    if (key !== 'type' && !allowed[type].includes(key)) issues.add([...path, key], `is not a parameter of the ${type} operator`, 'key');
  }
  switch (type) {
    case 'replace': {
      if (fields.newValue === undefined) return { type };
      if (typeof fields.newValue !== 'string') {
        issues.add([...path, 'newValue'], 'must be a string');
        return undefined;
      }
      return { type, newValue: fields.newValue };
    }
    case 'mask': {
      const charsToMask =
        fields.charsToMask === undefined
          ? (issues.add(typePath, 'the mask operator needs charsToMask'), undefined)
          : issues.number(fields.charsToMask, [...path, 'charsToMask'], { min: 0, max: 1_000_000, integer: true });
      let maskingChar = '*';
      if (fields.maskingChar !== undefined) {
        if (typeof fields.maskingChar !== 'string' || [...fields.maskingChar].length !== 1) {
          issues.add([...path, 'maskingChar'], 'must be exactly one character');
        } else {
          maskingChar = fields.maskingChar;
        }
      }
      const fromEnd = fields.fromEnd === undefined ? false : issues.boolean(fields.fromEnd, [...path, 'fromEnd']);
      if (charsToMask === undefined || fromEnd === undefined) return undefined;
      return { type, maskingChar, charsToMask, fromEnd };
    }
    default:
      return { type };
  }
}

function validateCustomRule(value: unknown, path: FieldPath, issues: IssueCollector): CustomRuleSpec | undefined {
  const before = issues.issues.length;
  const rule = issues.object(value, path, ['id', 'pattern', 'phrases', 'action', 'severity', 'directions', 'caseSensitive', 'description']);
  if (!rule) return undefined;
  const id = issues.string(rule.id, [...path, 'id'], IDENTIFIER);
  const hasPattern = rule.pattern !== undefined;
  const hasPhrases = rule.phrases !== undefined;
  if (hasPattern === hasPhrases) issues.add(path, 'needs exactly one of pattern or phrases');
  const pattern = hasPattern ? issues.string(rule.pattern, [...path, 'pattern']) : undefined;
  const phrases = hasPhrases ? issues.list(rule.phrases, [...path, 'phrases'], (v, p) => issues.string(v, p)) : undefined;
  const action = rule.action === undefined ? (issues.add(path, 'needs an action (ALLOW, WARN, REDACT or BLOCK)'), undefined) : issues.oneOf(rule.action, [...path, 'action'], ACTIONS);
  const severity = rule.severity === undefined ? 'HIGH' : issues.oneOf(rule.severity, [...path, 'severity'], SEVERITIES);
  const directions =
    rule.directions === undefined ? [...DIRECTIONS] : issues.list(rule.directions, [...path, 'directions'], (v, p) => issues.oneOf(v, p, DIRECTIONS));
  if (directions && new Set(directions).size !== directions.length) issues.add([...path, 'directions'], 'lists a direction twice');
  const caseSensitive = rule.caseSensitive === undefined ? false : issues.boolean(rule.caseSensitive, [...path, 'caseSensitive']);
  const description = rule.description === undefined ? undefined : issues.string(rule.description, [...path, 'description']);
  if (issues.issues.length !== before || !id || !action || !severity || !directions || caseSensitive === undefined) return undefined;
  const spec: CustomRuleSpec = { id, action, severity, directions, caseSensitive };
  if (pattern !== undefined) spec.pattern = pattern;
  if (phrases !== undefined) spec.phrases = phrases;
  if (description !== undefined) spec.description = description;
  return spec;
}

function checkUniqueRuleIds(raw: unknown, path: FieldPath, issues: IssueCollector): void {
  if (!Array.isArray(raw)) return;
  const firstIndex = new Map<string, number>();
  raw.forEach((item: unknown, index) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else issues.add([...path, index, 'id'], `duplicate rule id "${id}" (first used by customRules[${first}])`);
  });
}
