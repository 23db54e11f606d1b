/**
 * The stateless half of CheckAction: one action against one compiled policy, no I/O, no
 * clock. Steps, each a small function returning what it found:
 *
 *   1. agent registry    unknown agent / action type not in allowedActions → DENY
 *   2. parameters        flattened (bounded; too large → DENY, never judged in part)
 *   3. built-in checks   disguised URLs, sensitive paths, dangerous commands, privilege
 *                        escalation, PII/secrets towards external hosts → DENY (rules cannot
 *                        allow these)
 *   4. rules             priority then file order; the first rule whose action types, agents,
 *                        target glob and parameter conditions match decides; its host and path
 *                        lists narrow what it lets through (a host outside them → DENY by that
 *                        rule); no match → the default decision
 *   5. goal consistency  flagged, or applied per behaviour.onGoalMismatch
 *   6. rate-limit buckets that this action would consume
 *
 * The stateful half (quarantine, rate limits, behaviour) is action-state-store.ts.
 */
import type { ThreatResult } from '../engine/types.js';
import type { ActionVerdictName, AgentSpec, BehaviourResponse } from '../policy/types.js';
import type { ActionRequestData, ReasonCodeName } from './action-names.js';
import { normaliseActionPath, findActionPath, sensitivePathReason } from './action-path.js';
import { findActionUrl, parseActionUrl, type ActionUrl } from './action-url.js';
import { commandChecker, type CommandFinding } from './command-checks.js';
import type { CompiledActionPolicy, CompiledActionRule } from './compiled-action-policy.js';
import { findSensitiveParameters } from './exfiltration-check.js';
import { anyGlob } from './glob.js';
import { goalMismatchReason } from './goal-consistency.js';
import { isPrivateNetworkHost } from './host-names.js';
import { flattenParameters, parameterAt, type ParameterLeaf } from './parameter-values.js';

/** One token bucket an allowed action takes a token from. */
export interface BucketRequest {
  /** Unique within the tenant: limit id + agent (or "*" for a shared bucket) + action type. */
  key: string;
  limitId: string;
  capacity: number;
  /** Tokens added per millisecond. */
  refillPerMs: number;
}

export interface Evaluation {
  verdict: ActionVerdictName;
  reasonCode: ReasonCodeName;
  ruleId: string;
  reasons: string[];
  threats: ThreatResult[];
  /** 0..1: what this evaluation saw that makes the action unusual (threats, goal mismatch, denial). */
  signalAnomaly: number;
  goalMismatch: boolean;
  /** What "new target" is measured on: action type + host, path or target. */
  targetKey: string;
  /** Canonical host of the action's URL, or "" (for records and policy suggestions). */
  destinationHost: string;
  buckets: BucketRequest[];
  agent: AgentSpec | undefined;
}

interface Denial {
  code: ReasonCodeName;
  ruleId: string;
  reason: string;
}

/** Built-in denials in the order their reason codes are reported. */
const BUILTIN_ORDER: readonly ReasonCodeName[] = ['DANGEROUS_COMMAND', 'PRIVILEGE_ESCALATION', 'DATA_EXFILTRATION', 'SENSITIVE_PATH', 'SUSPICIOUS_URL'];

/** Tool names that run what they are given. */
const SHELL_TOOL = /(?:exec|command|shell|bash|terminal|cmd|powershell|script|subprocess|run_code|python|^sh$|^run$)/i;
/** Parameter names that hold a command or code, whatever the tool. */
const COMMAND_KEYS = new Set(['command', 'cmd', 'commands', 'script', 'shell', 'code', 'args', 'argv', 'command_line', 'commandLine', 'exec', 'run']);
const SQL_KEYS = new Set(['query', 'sql', 'statement', 'statements']);
const RECIPIENT_KEYS = new Set(['to', 'cc', 'bcc', 'recipient', 'recipients', 'email', 'emails', 'address', 'send_to', 'sendTo']);

/** A built-in check fired: strong evidence; about six such actions in a row quarantine an agent. */
const ANOMALY_BUILTIN = 0.7;
const ANOMALY_GOAL = 0.5;
const ANOMALY_DENIED = 0.2;

function commandThreat(f: CommandFinding): ThreatResult {
  const escalation = f.kind === 'privilege-escalation';
  return {
    type: 'UNSAFE_CODE',
    severity: 'CRITICAL',
    confidence: 0.95,
    detector: 'action-commands',
    ruleId: f.ruleId,
    spans: [],
    entityType: '',
    // OWASP LLM06 Excessive Agency; MITRE ATLAS AML.T0053 (LLM Plugin Compromise: abusing an agent's tools).
    owaspId: 'LLM06',
    atlasTechnique: 'AML.T0053',
    description: `${escalation ? 'Privilege escalation' : 'Dangerous command'}: ${f.description}`,
    action: 'BLOCK',
  };
}

function urlThreat(reason: string): ThreatResult {
  return {
    type: 'MALICIOUS_URL',
    severity: 'HIGH',
    confidence: 0.9,
    detector: 'action-url',
    ruleId: 'suspicious-url',
    spans: [],
    entityType: '',
    owaspId: 'LLM06',
    atlasTechnique: 'AML.T0053',
    description: reason,
    action: 'BLOCK',
  };
}

/** Step 1. */
function checkAgent(c: CompiledActionPolicy, req: ActionRequestData): Denial | undefined {
  if (c.agents.size === 0) return undefined;
  const agent = c.agents.get(req.agentId);
  if (!agent) return { code: 'UNKNOWN_AGENT', ruleId: 'builtin:agent-registry', reason: 'the agent is not registered in the policy' };
  if (agent.allowedActions.length > 0 && !agent.allowedActions.includes(req.actionType)) {
    return { code: 'ACTION_NOT_PERMITTED', ruleId: 'builtin:agent-registry', reason: `the agent may not take ${req.actionType} actions` };
  }
  return undefined;
}

/** Command-like strings of the action: everything for code execution and shell tools, else command-named parameters. */
function commandTexts(req: ActionRequestData, leaves: readonly ParameterLeaf[]): string[] {
  const all = req.actionType === 'CODE_EXEC' || (req.actionType === 'TOOL_CALL' && SHELL_TOOL.test(req.target));
  const out = leaves.filter((l) => typeof l.value === 'string' && (all || COMMAND_KEYS.has(l.key))).map((l) => l.value as string);
  if (req.actionType === 'CODE_EXEC' && req.target !== '') out.push(req.target);
  // An argv list is one command: "sudo", "rm", "-rf", "/" only means something joined.
  const argv = leaves.filter((l) => typeof l.value === 'string' && (l.key === 'args' || l.key === 'argv'));
  if (argv.length > 1) out.push(argv.map((l) => l.value).join(' '));
  return out;
}

function sqlTexts(req: ActionRequestData, leaves: readonly ParameterLeaf[]): string[] {
  if (req.actionType !== 'DATABASE_QUERY') return [];
  return leaves.filter((l) => typeof l.value === 'string' && SQL_KEYS.has(l.key)).map((l) => l.value as string);
}

function emailDomains(leaves: readonly ParameterLeaf[]): string[] {
  const out: string[] = [];
  for (const l of leaves) {
    if (!RECIPIENT_KEYS.has(l.key) || typeof l.value !== 'string') continue;
    for (const m of l.value.matchAll(/@([A-Za-z0-9.-]+)/g)) out.push((m[1] ?? '').toLowerCase().replace(/\.+$/, ''));
  }
  return out;
}

interface Destination {
  /** The URL as given (target or parameter), if any. */
  raw: string | undefined;
  url: ActionUrl | undefined;
  /** A URL was given but does not parse. */
  unparsable: boolean;
  external: boolean;
  /** e-mail recipients outside the internal domains. */
  externalRecipients: boolean;
  /** Neither a URL nor e-mail recipients: where the action goes is not known. */
  unknown: boolean;
}

function destinationOf(c: CompiledActionPolicy, req: ActionRequestData, leaves: readonly ParameterLeaf[]): Destination {
  const raw = findActionUrl(req.target, req.parameters);
  const url = raw === undefined ? undefined : parseActionUrl(raw);
  const hostExternal = url !== undefined && !isPrivateNetworkHost(url.host) && !c.trustedHosts.matches(url.host);
  const domains = emailDomains(leaves);
  const externalRecipients = domains.some((d) => !c.internalHosts.matches(d));
  return {
    raw,
    url,
    unparsable: raw !== undefined && url === undefined,
    external: hostExternal || externalRecipients,
    externalRecipients,
    unknown: raw === undefined && domains.length === 0,
  };
}

/** The query and fragment of a URL, decoded: the part of a destination that can carry data. */
function urlPayload(raw: string): string {
  try {
    const u = new URL(raw);
    const text = `${u.search.slice(1)} ${u.hash.slice(1)}`.trim();
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * What the exfiltration check reads: recipient addresses are where data goes, not what is
 * sent, and of the destination URL only its query and fragment can carry data.
 */
function payloadLeaves(leaves: readonly ParameterLeaf[], dest: Destination): ParameterLeaf[] {
  const out: ParameterLeaf[] = [];
  for (const l of leaves) {
    if (RECIPIENT_KEYS.has(l.key)) continue;
    if (dest.raw !== undefined && l.value === dest.raw) {
      const payload = urlPayload(dest.raw);
      if (payload !== '') out.push({ ...l, value: payload });
      continue;
    }
    out.push(l);
  }
  return out;
}

/** Step 3. */
function builtInChecks(
  c: CompiledActionPolicy,
  req: ActionRequestData,
  leaves: readonly ParameterLeaf[],
  dest: Destination,
  threats: ThreatResult[],
): Denial[] {
  const checks = c.config.settings.builtInChecks;
  const denials: Denial[] = [];
  if (checks.suspiciousUrls) {
    const reasons = dest.unparsable ? ['the URL does not parse'] : (dest.url?.suspicious ?? []);
    for (const reason of reasons) {
      threats.push(urlThreat(reason));
      denials.push({ code: 'SUSPICIOUS_URL', ruleId: 'builtin:suspicious-url', reason });
    }
  }
  if (checks.sensitivePaths && (req.actionType === 'FILE_READ' || req.actionType === 'FILE_WRITE')) {
    const raw = findActionPath(req.target, req.parameters);
    if (raw !== undefined) {
      const p = normaliseActionPath(raw);
      const reason = sensitivePathReason(p.path, req.actionType === 'FILE_WRITE') ?? p.suspicious[0];
      if (reason) denials.push({ code: 'SENSITIVE_PATH', ruleId: 'builtin:sensitive-path', reason });
    }
  }
  if (checks.dangerousCommands || checks.privilegeEscalation) {
    const findings = [...commandTexts(req, leaves).flatMap((t) => commandChecker.checkCommand(t)), ...sqlTexts(req, leaves).flatMap((t) => commandChecker.checkSql(t))];
    const seen = new Set<string>();
    for (const f of findings) {
      if (seen.has(f.ruleId)) continue;
      seen.add(f.ruleId);
      const escalation = f.kind === 'privilege-escalation';
      if (escalation ? !checks.privilegeEscalation : !checks.dangerousCommands) continue;
      threats.push(commandThreat(f));
      denials.push({
        code: escalation ? 'PRIVILEGE_ESCALATION' : 'DANGEROUS_COMMAND',
        ruleId: escalation ? 'builtin:privilege-escalation' : 'builtin:dangerous-command',
        reason: `${escalation ? 'privilege escalation' : 'dangerous command'}: ${f.description}`,
      });
    }
  }
  if (checks.exfiltration && dest.external) {
    const found = findSensitiveParameters(c.policy, payloadLeaves(leaves, dest));
    if (found.length > 0) {
      threats.push(...found);
      const kinds = [...new Set(found.map((t) => t.entityType))].join(', ');
      denials.push({ code: 'DATA_EXFILTRATION', ruleId: 'builtin:exfiltration', reason: `sensitive data (${kinds}) would be sent to an external destination` });
    }
  }
  return denials;
}

type RuleOutcome = { kind: 'miss' } | { kind: 'near'; code: ReasonCodeName; reason: string } | { kind: 'decide'; verdict: ActionVerdictName; code: ReasonCodeName; reason: string };

function parametersHold(rule: CompiledActionRule, req: ActionRequestData): string | undefined {
  for (const check of rule.parameters) {
    const value = parameterAt(req.parameters, check.spec.name);
    if (value === undefined || value === null || typeof value === 'object') return `parameter "${check.spec.name}" is missing or not a single value`;
    const text = String(value);
    if (check.pattern && !check.pattern.test(text)) return `parameter "${check.spec.name}" does not match the rule's pattern`;
    if (check.notPattern && check.notPattern.test(text)) return `parameter "${check.spec.name}" matches the rule's notPattern`;
    if (check.oneOf && !check.oneOf.has(text)) return `parameter "${check.spec.name}" is not one of the rule's values`;
    if (check.spec.min !== undefined || check.spec.max !== undefined) {
      const n = typeof value === 'number' ? value : Number(text);
      if (!Number.isFinite(n) || text.trim() === '') return `parameter "${check.spec.name}" is not a number`;
      if (check.spec.min !== undefined && n < check.spec.min) return `parameter "${check.spec.name}" is below the rule's minimum`;
      if (check.spec.max !== undefined && n > check.spec.max) return `parameter "${check.spec.name}" is above the rule's maximum`;
    }
  }
  return undefined;
}

function evaluateRule(rule: CompiledActionRule, req: ActionRequestData, dest: Destination): RuleOutcome {
  if (rule.appliesTo && !rule.appliesTo.has(req.actionType)) return { kind: 'miss' };
  if (rule.agents && !rule.agents.has(req.agentId)) return { kind: 'miss' };
  if (!rule.target(req.target)) return { kind: 'miss' };
  const paramMiss = parametersHold(rule, req);
  if (paramMiss) return { kind: 'near', code: 'PARAMETER', reason: paramMiss };
  const decide = (verdict: ActionVerdictName, code: ReasonCodeName, reason: string): RuleOutcome => ({ kind: 'decide', verdict, code, reason });
  if (rule.hostAllow || rule.hostDeny) {
    const host = dest.url?.host;
    if (host === undefined) return decide('DENY', 'HOST_NOT_ALLOWED', `rule "${rule.spec.id}" lists hosts, but the action has no URL`);
    if (rule.hostDeny?.matches(host)) return decide('DENY', 'HOST_NOT_ALLOWED', `host ${host} is denied by rule "${rule.spec.id}"`);
    if (rule.hostAllow && !rule.hostAllow.matches(host)) return decide('DENY', 'HOST_NOT_ALLOWED', `host ${host} is not allowed by rule "${rule.spec.id}"`);
  }
  if (rule.pathAllow || rule.pathDeny) {
    const raw = findActionPath(req.target, req.parameters);
    const path = raw === undefined ? undefined : normaliseActionPath(raw).path;
    if (path === undefined) return decide('DENY', 'PATH_NOT_ALLOWED', `rule "${rule.spec.id}" lists paths, but the action has no path`);
    if (rule.pathDeny && anyGlob(rule.pathDeny, path)) return decide('DENY', 'PATH_NOT_ALLOWED', `the path is denied by rule "${rule.spec.id}"`);
    if (rule.pathAllow && !anyGlob(rule.pathAllow, path)) return decide('DENY', 'PATH_NOT_ALLOWED', `the path is not allowed by rule "${rule.spec.id}"`);
  }
  return decide(rule.spec.decision, 'RULE', rule.spec.reason ?? `rule "${rule.spec.id}" decided ${rule.spec.decision}`);
}

/** Step 4. */
function applyRules(c: CompiledActionPolicy, req: ActionRequestData, dest: Destination): { verdict: ActionVerdictName; code: ReasonCodeName; ruleId: string; reason: string } {
  let near: { code: ReasonCodeName; ruleId: string; reason: string } | undefined;
  for (const rule of c.rules) {
    const outcome = evaluateRule(rule, req, dest);
    if (outcome.kind === 'decide') return { verdict: outcome.verdict, code: outcome.code, ruleId: rule.spec.id, reason: outcome.reason };
    if (outcome.kind === 'near' && !near) near = { code: outcome.code, ruleId: rule.spec.id, reason: outcome.reason };
  }
  const verdict = c.config.settings.defaultDecision;
  // A rule that almost matched explains a default denial better than "no rule matched".
  if (near && verdict !== 'ALLOW') return { verdict, code: near.code, ruleId: near.ruleId, reason: `${near.reason}; default decision ${verdict}` };
  return { verdict, code: 'DEFAULT_DECISION', ruleId: '', reason: `no rule matched; default decision ${verdict}` };
}

/** Applies a behavioural response to a verdict (never loosens it). */
export function applyResponse(verdict: ActionVerdictName, response: BehaviourResponse): ActionVerdictName {
  if (verdict === 'DENY' || response === 'FLAG') return verdict;
  return response === 'DENY' ? 'DENY' : 'REQUIRE_APPROVAL';
}

function targetKeyOf(req: ActionRequestData, dest: Destination): string {
  const what = dest.url ? dest.url.host : req.target;
  return `${req.actionType}|${what.slice(0, 256)}`;
}

function bucketsFor(c: CompiledActionPolicy, req: ActionRequestData): BucketRequest[] {
  const out: BucketRequest[] = [];
  for (const limit of c.config.rateLimits) {
    if (limit.agent !== '' && limit.agent !== '*' && limit.agent !== req.agentId) continue;
    if (limit.actionType !== '' && limit.actionType !== req.actionType) continue;
    const agentPart = limit.agent === '' ? '*' : req.agentId;
    out.push({
      key: `${limit.id}|${agentPart}|${limit.actionType || '*'}`,
      limitId: limit.id,
      capacity: limit.burst,
      refillPerMs: limit.limit / limit.windowMs,
    });
  }
  return out;
}

function combine(...parts: number[]): number {
  return 1 - parts.reduce((keep, p) => keep * (1 - p), 1);
}

/** Decides `req` under the compiled policy `c`. Pure: same input, same evaluation. */
export function evaluateAction(c: CompiledActionPolicy, req: ActionRequestData): Evaluation {
  const threats: ThreatResult[] = [];
  const agent = c.agents.get(req.agentId);
  const base = { threats, agent, buckets: [] as BucketRequest[], goalMismatch: false, destinationHost: '', targetKey: `${req.actionType}|${req.target.slice(0, 256)}` };

  const agentDenial = checkAgent(c, req);
  if (agentDenial) {
    return { ...base, verdict: 'DENY', reasonCode: agentDenial.code, ruleId: agentDenial.ruleId, reasons: [agentDenial.reason], signalAnomaly: ANOMALY_DENIED };
  }
  const flat = flattenParameters(req.parameters);
  if (flat.tooLarge) {
    const reason = 'the parameters are too large or too deeply nested to check';
    return { ...base, verdict: 'DENY', reasonCode: 'PARAMETER', ruleId: 'builtin:parameter-limits', reasons: [reason], signalAnomaly: ANOMALY_DENIED };
  }
  const dest = destinationOf(c, req, flat.leaves);
  const destinationHost = dest.url?.host ?? '';
  const targetKey = targetKeyOf(req, dest);

  const mismatch = c.config.behaviour.enabled
    ? goalMismatchReason({
        goal: req.declaredGoal,
        actionType: req.actionType,
        target: req.target,
        // A send to an unknown destination is judged like an external one.
        externalDestination: dest.external || dest.unknown,
        query: sqlTexts(req, flat.leaves)[0],
      })
    : undefined;

  const denials = builtInChecks(c, req, flat.leaves, dest, threats);
  const reasons: string[] = [];
  let verdict: ActionVerdictName;
  let reasonCode: ReasonCodeName;
  let ruleId: string;
  if (denials.length > 0) {
    denials.sort((a, b) => BUILTIN_ORDER.indexOf(a.code) - BUILTIN_ORDER.indexOf(b.code));
    const first = denials[0] as Denial;
    verdict = 'DENY';
    reasonCode = first.code;
    ruleId = first.ruleId;
    reasons.push(...new Set(denials.map((d) => d.reason)));
  } else {
    const ruled = applyRules(c, req, dest);
    verdict = ruled.verdict;
    reasonCode = ruled.code;
    ruleId = ruled.ruleId;
    reasons.push(ruled.reason);
  }

  if (mismatch) {
    reasons.push(`goal mismatch: ${mismatch}`);
    const after = applyResponse(verdict, c.config.behaviour.onGoalMismatch);
    if (after !== verdict) {
      verdict = after;
      reasonCode = 'GOAL_MISMATCH';
      ruleId = 'builtin:goal-consistency';
    }
  }

  const signalAnomaly = combine(denials.length > 0 ? ANOMALY_BUILTIN : 0, mismatch ? ANOMALY_GOAL : 0, verdict === 'DENY' && denials.length === 0 ? ANOMALY_DENIED : 0);
  return {
    ...base,
    verdict,
    reasonCode,
    ruleId,
    reasons,
    signalAnomaly,
    goalMismatch: mismatch !== undefined,
    destinationHost,
    targetKey,
    buckets: verdict === 'DENY' ? [] : bucketsFor(c, req),
  };
}
