/**
 * The agent-action sections of a policy document: `spec.agents`, `spec.actionRules`,
 * `spec.rateLimits`, `spec.behaviour` and `spec.actionSettings`; their validation (strict, with
 * field paths so the loader names file and line) and the merge over the built-in default.
 * policy-document-schema.ts only delegates these keys here.
 *
 * ```yaml
 * agents:
 *   - { id: data_processor, owner: data-team@acme.example, allowedActions: [TOOL_CALL, DATABASE_QUERY] }
 * actionRules:                      # priority (higher first), then file order; first match decides
 *   - id: http-only-internal
 *     appliesTo: [TOOL_CALL]
 *     target: http_request          # glob
 *     hosts: { allow: [internal.acme.example, '*.corp.example'], deny: [] }
 *     decision: ALLOW               # ALLOW | DENY | REQUIRE_APPROVAL
 * rateLimits:
 *   - { agent: data_processor, actionType: DATABASE_QUERY, perMinute: 50 }
 * behaviour: { suspiciousBelow: 0.75, compromisedBelow: 0.5, quarantine: true }
 * actionSettings: { defaultDecision: DENY, internalHosts: ['*.acme.example'] }
 * ```
 */
import { compileUserPattern, UserPatternError } from '../detectors/user-pattern.js';
import { canonicalHostPattern } from '../actions/host-names.js';
import { DEFAULT_AGENT_ACTIONS } from './agent-action-defaults.js';
import type {
  ActionRuleSpec,
  ActionSettingsSpec,
  ActionVerdictName,
  AgentActionPolicy,
  AgentActionTypeName,
  AgentSpec,
  AllowDenyLists,
  BehaviourResponse,
  BehaviourSpec,
  ParameterCheckSpec,
  RateLimitSpec,
} from './types.js';
import type { IssueCollector } from './validation-issues.js';
import type { FieldPath } from './yaml-locations.js';

export const AGENT_ACTION_TYPES: readonly AgentActionTypeName[] = [
  'TOOL_CALL',
  'API_CALL',
  'NETWORK_REQUEST',
  'DATABASE_QUERY',
  'FILE_READ',
  'FILE_WRITE',
  'MEMORY_READ',
  'MEMORY_WRITE',
  'CODE_EXEC',
  'AGENT_MESSAGE',
];
const VERDICTS: readonly ActionVerdictName[] = ['ALLOW', 'DENY', 'REQUIRE_APPROVAL'];
const RESPONSES: readonly BehaviourResponse[] = ['FLAG', 'REQUIRE_APPROVAL', 'DENY'];
const CHECKS = ['dangerousCommands', 'privilegeEscalation', 'exfiltration', 'sensitivePaths', 'suspiciousUrls'] as const;

/** The spec keys handled here. */
export const AGENT_ACTION_SPEC_KEYS = ['agents', 'actionRules', 'rateLimits', 'behaviour', 'actionSettings'] as const;

const IDENTIFIER = { pattern: /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/, hint: 'letters, digits, "_", ".", ":", "@" or "-" (at most 128, starting with a letter or digit)' };
const WINDOWS = { perSecond: 1_000, perMinute: 60_000, perHour: 3_600_000 } as const;

/** What a user wrote in the five sections (each optional). */
export interface AgentActionsInput {
  agents?: AgentSpec[];
  actionRules?: ActionRuleSpec[];
  rateLimits?: RateLimitSpec[];
  behaviour?: Partial<BehaviourSpec>;
  actionSettings?: Partial<Omit<ActionSettingsSpec, 'builtInChecks'>> & { builtInChecks?: Partial<ActionSettingsSpec['builtInChecks']> };
}

type Fields = Record<string, unknown>;

/** Validates the agent-action keys of `spec` (the others are not looked at). */
export function validateAgentActions(spec: Fields, path: FieldPath, issues: IssueCollector): AgentActionsInput | undefined {
  const out: AgentActionsInput = {};
  let any = false;
  if (spec.agents !== undefined) {
    any = true;
    out.agents = issues.list(spec.agents, [...path, 'agents'], (v, p) => validateAgent(v, p, issues), true);
    checkUnique(spec.agents, [...path, 'agents'], 'agent id', issues);
  }
  if (spec.actionRules !== undefined) {
    any = true;
    out.actionRules = issues.list(spec.actionRules, [...path, 'actionRules'], (v, p) => validateRule(v, p, issues), true);
    checkUnique(spec.actionRules, [...path, 'actionRules'], 'rule id', issues);
  }
  if (spec.rateLimits !== undefined) {
    any = true;
    out.rateLimits = issues.list(spec.rateLimits, [...path, 'rateLimits'], (v, p) => validateRateLimit(v, p, issues), true);
    checkUnique(spec.rateLimits, [...path, 'rateLimits'], 'rate limit id', issues);
  }
  if (spec.behaviour !== undefined) {
    any = true;
    out.behaviour = validateBehaviour(spec.behaviour, [...path, 'behaviour'], issues);
  }
  if (spec.actionSettings !== undefined) {
    any = true;
    out.actionSettings = validateSettings(spec.actionSettings, [...path, 'actionSettings'], issues);
  }
  return any ? out : undefined;
}

/** The sections merged over the built-in default (lists replace, mappings merge by field). */
export function mergeAgentActions(input: AgentActionsInput | undefined): AgentActionPolicy {
  const d = DEFAULT_AGENT_ACTIONS;
  const s = input?.actionSettings;
  return {
    agents: input?.agents ?? [],
    actionRules: input?.actionRules ?? [],
    rateLimits: input?.rateLimits ?? [],
    behaviour: { ...d.behaviour, ...input?.behaviour },
    settings: {
      defaultDecision: s?.defaultDecision ?? d.settings.defaultDecision,
      internalHosts: s?.internalHosts ?? [...d.settings.internalHosts],
      builtInChecks: { ...d.settings.builtInChecks, ...s?.builtInChecks },
      auditScans: s?.auditScans ?? d.settings.auditScans,
    },
  };
}

function validateAgent(value: unknown, path: FieldPath, issues: IssueCollector): AgentSpec | undefined {
  const before = issues.issues.length;
  const f = issues.object(value, path, ['id', 'owner', 'allowedActions', 'description']);
  if (!f) return undefined;
  const id = issues.string(f.id, [...path, 'id'], IDENTIFIER);
  const owner = f.owner === undefined ? (issues.add(path, 'needs an owner (who answers for this agent)'), undefined) : issues.string(f.owner, [...path, 'owner']);
  const allowedActions = f.allowedActions === undefined ? [] : actionTypes(f.allowedActions, [...path, 'allowedActions'], issues);
  const description = f.description === undefined ? undefined : issues.string(f.description, [...path, 'description']);
  if (issues.issues.length !== before || !id || !owner || !allowedActions) return undefined;
  return description === undefined ? { id, owner, allowedActions } : { id, owner, allowedActions, description };
}

function actionTypes(value: unknown, path: FieldPath, issues: IssueCollector): AgentActionTypeName[] | undefined {
  const list = issues.list(value, path, (v, p) => issues.oneOf(v, p, AGENT_ACTION_TYPES));
  if (list && new Set(list).size !== list.length) issues.add(path, 'lists an action type twice');
  return list;
}

function validateRule(value: unknown, path: FieldPath, issues: IssueCollector): ActionRuleSpec | undefined {
  const before = issues.issues.length;
  const f = issues.object(value, path, ['id', 'appliesTo', 'agents', 'target', 'hosts', 'paths', 'parameters', 'decision', 'priority', 'reason']);
  if (!f) return undefined;
  const id = issues.string(f.id, [...path, 'id'], IDENTIFIER);
  const appliesTo = f.appliesTo === undefined ? [] : actionTypes(f.appliesTo, [...path, 'appliesTo'], issues);
  const agents = f.agents === undefined ? [] : issues.list(f.agents, [...path, 'agents'], (v, p) => issues.string(v, p, IDENTIFIER));
  const target = f.target === undefined ? '*' : issues.string(f.target, [...path, 'target']);
  const hosts = f.hosts === undefined ? undefined : allowDeny(f.hosts, [...path, 'hosts'], issues, (v, p) => hostPattern(v, p, issues));
  const paths = f.paths === undefined ? undefined : allowDeny(f.paths, [...path, 'paths'], issues, (v, p) => issues.string(v, p));
  const parameters = f.parameters === undefined ? [] : issues.list(f.parameters, [...path, 'parameters'], (v, p) => validateParameterCheck(v, p, issues));
  const decision = f.decision === undefined ? (issues.add(path, 'needs a decision (ALLOW, DENY or REQUIRE_APPROVAL)'), undefined) : issues.oneOf(f.decision, [...path, 'decision'], VERDICTS);
  const priority = f.priority === undefined ? 0 : issues.number(f.priority, [...path, 'priority'], { min: -1_000_000, max: 1_000_000, integer: true });
  const reason = f.reason === undefined ? undefined : issues.string(f.reason, [...path, 'reason']);
  if (issues.issues.length !== before || !id || !appliesTo || !agents || !target || !parameters || !decision || priority === undefined) return undefined;
  const rule: ActionRuleSpec = { id, appliesTo, agents, target, parameters, decision, priority };
  if (hosts) rule.hosts = hosts;
  if (paths) rule.paths = paths;
  if (reason !== undefined) rule.reason = reason;
  return rule;
}

/** A hostname or "*.domain", stored in canonical form (lower case, punycode, no trailing dot). */
function hostPattern(value: unknown, path: FieldPath, issues: IssueCollector): string | undefined {
  const text = issues.string(value, path);
  if (text === undefined) return undefined;
  const canonical = canonicalHostPattern(text);
  if (canonical === undefined) issues.add(path, 'must be a hostname, "*.domain" (its subdomains) or an IP address');
  return canonical;
}

function allowDeny(
  value: unknown,
  path: FieldPath,
  issues: IssueCollector,
  item: (v: unknown, p: FieldPath) => string | undefined,
): AllowDenyLists | undefined {
  const f = issues.object(value, path, ['allow', 'deny']);
  if (!f) return undefined;
  const allow = f.allow === undefined ? [] : issues.list(f.allow, [...path, 'allow'], item, true);
  const deny = f.deny === undefined ? [] : issues.list(f.deny, [...path, 'deny'], item, true);
  if (f.allow === undefined && f.deny === undefined) issues.add(path, 'needs allow or deny');
  return allow && deny ? { allow, deny } : undefined;
}

function validateParameterCheck(value: unknown, path: FieldPath, issues: IssueCollector): ParameterCheckSpec | undefined {
  const before = issues.issues.length;
  const f = issues.object(value, path, ['name', 'pattern', 'notPattern', 'oneOf', 'min', 'max', 'caseSensitive']);
  if (!f) return undefined;
  const name = issues.string(f.name, [...path, 'name'], { pattern: /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/, hint: 'a dotted parameter path such as query or options.method' });
  const caseSensitive = f.caseSensitive === undefined ? false : issues.boolean(f.caseSensitive, [...path, 'caseSensitive']);
  const check: ParameterCheckSpec = { name: name ?? '', caseSensitive: caseSensitive ?? false };
  for (const key of ['pattern', 'notPattern'] as const) {
    if (f[key] === undefined) continue;
    const pattern = issues.string(f[key], [...path, key]);
    if (pattern === undefined) continue;
    try {
      compileUserPattern(pattern, caseSensitive ? '' : 'i');
      check[key] = pattern;
    } catch (err) {
      if (!(err instanceof UserPatternError)) throw err;
      issues.add([...path, key], `invalid pattern: ${err.reason}`);
    }
  }
  if (f.oneOf !== undefined) {
    const list = issues.list(f.oneOf, [...path, 'oneOf'], (v, p) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : issues.string(v, p)));
    if (list) check.oneOf = list;
  }
  for (const key of ['min', 'max'] as const) {
    if (f[key] === undefined) continue;
    const n = issues.number(f[key], [...path, key], { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    if (n !== undefined) check[key] = n;
  }
  if (check.min !== undefined && check.max !== undefined && check.min > check.max) issues.add([...path, 'min'], 'must not be above max');
  if (f.pattern === undefined && f.notPattern === undefined && f.oneOf === undefined && f.min === undefined && f.max === undefined) {
    issues.add(path, 'needs a condition: pattern, notPattern, oneOf, min or max');
  }
  return issues.issues.length === before ? check : undefined;
}

function validateRateLimit(value: unknown, path: FieldPath, issues: IssueCollector): RateLimitSpec | undefined {
  const before = issues.issues.length;
  const f = issues.object(value, path, ['id', 'agent', 'actionType', 'perSecond', 'perMinute', 'perHour', 'burst']);
  if (!f) return undefined;
  const index = path[path.length - 1];
  const id = f.id === undefined ? `rate-limit-${String(index)}` : issues.string(f.id, [...path, 'id'], IDENTIFIER);
  const agent =
    f.agent === undefined ? '' : f.agent === '*' ? '*' : issues.string(f.agent, [...path, 'agent'], { pattern: IDENTIFIER.pattern, hint: `${IDENTIFIER.hint}, or "*" for each agent` });
  const actionType = f.actionType === undefined ? '' : issues.oneOf(f.actionType, [...path, 'actionType'], AGENT_ACTION_TYPES);
  const windows = (Object.keys(WINDOWS) as Array<keyof typeof WINDOWS>).filter((w) => f[w] !== undefined);
  if (windows.length !== 1) issues.add(path, 'needs exactly one of perSecond, perMinute or perHour');
  const window = windows[0];
  const limit = window === undefined ? undefined : issues.number(f[window], [...path, window], { min: 1, max: 100_000_000, integer: true });
  const burst = f.burst === undefined ? limit : issues.number(f.burst, [...path, 'burst'], { min: 1, max: 100_000_000, integer: true });
  if (issues.issues.length !== before || !id || agent === undefined || actionType === undefined || !window || !limit || !burst) return undefined;
  return { id, agent, actionType, limit, windowMs: WINDOWS[window], burst };
}

function validateBehaviour(value: unknown, path: FieldPath, issues: IssueCollector): Partial<BehaviourSpec> {
  const keys = Object.keys(DEFAULT_AGENT_ACTIONS.behaviour) as Array<keyof BehaviourSpec>;
  const f = issues.object(value, path, keys);
  const out: Partial<BehaviourSpec> = {};
  if (!f) return out;
  const num = (key: keyof BehaviourSpec, min: number, max: number, integer = false): number | undefined =>
    f[key] === undefined ? undefined : issues.number(f[key], [...path, key], { min, max, integer });
  const bool = (key: keyof BehaviourSpec): boolean | undefined => (f[key] === undefined ? undefined : issues.boolean(f[key], [...path, key]));
  const response = (key: keyof BehaviourSpec): BehaviourResponse | undefined => (f[key] === undefined ? undefined : issues.oneOf(f[key], [...path, key], RESPONSES));
  const set = <K extends keyof BehaviourSpec>(key: K, v: BehaviourSpec[K] | undefined): void => {
    if (v !== undefined) out[key] = v;
  };
  set('enabled', bool('enabled'));
  set('warmupActions', num('warmupActions', 0, 1_000_000, true));
  set('scoreSmoothing', num('scoreSmoothing', 0.001, 1));
  set('suspiciousBelow', num('suspiciousBelow', 0, 1));
  set('compromisedBelow', num('compromisedBelow', 0, 1));
  set('quarantine', bool('quarantine'));
  set('anomalyThreshold', num('anomalyThreshold', 0, 1));
  set('onAnomaly', response('onAnomaly'));
  set('onGoalMismatch', response('onGoalMismatch'));
  set('burstFactor', num('burstFactor', 1, 10_000));
  set('burstMinPerSecond', num('burstMinPerSecond', 1, 10_000_000));
  const suspicious = out.suspiciousBelow ?? DEFAULT_AGENT_ACTIONS.behaviour.suspiciousBelow;
  const compromised = out.compromisedBelow ?? DEFAULT_AGENT_ACTIONS.behaviour.compromisedBelow;
  if (compromised > suspicious) issues.add([...path, out.compromisedBelow !== undefined ? 'compromisedBelow' : 'suspiciousBelow'], 'compromisedBelow must not be above suspiciousBelow');
  return out;
}

function validateSettings(value: unknown, path: FieldPath, issues: IssueCollector): NonNullable<AgentActionsInput['actionSettings']> {
  const f = issues.object(value, path, ['defaultDecision', 'internalHosts', 'builtInChecks', 'auditScans']);
  const out: NonNullable<AgentActionsInput['actionSettings']> = {};
  if (!f) return out;
  if (f.defaultDecision !== undefined) out.defaultDecision = issues.oneOf(f.defaultDecision, [...path, 'defaultDecision'], VERDICTS);
  if (f.internalHosts !== undefined) out.internalHosts = issues.list(f.internalHosts, [...path, 'internalHosts'], (v, p) => hostPattern(v, p, issues), true);
  if (f.auditScans !== undefined) out.auditScans = issues.boolean(f.auditScans, [...path, 'auditScans']);
  if (f.builtInChecks !== undefined) {
    const checks = issues.object(f.builtInChecks, [...path, 'builtInChecks'], CHECKS);
    if (checks) {
      out.builtInChecks = {};
      for (const c of CHECKS) {
        if (checks[c] === undefined) continue;
        const b = issues.boolean(checks[c], [...path, 'builtInChecks', c]);
        if (b !== undefined) out.builtInChecks[c] = b;
      }
    }
  }
  return out;
}

function checkUnique(raw: unknown, path: FieldPath, what: string, issues: IssueCollector): void {
  if (!Array.isArray(raw)) return;
  const first = new Map<string, number>();
  raw.forEach((item: unknown, index) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, index);
    else issues.add([...path, index, 'id'], `duplicate ${what} "${id}" (first used at index ${seen})`);
  });
}
