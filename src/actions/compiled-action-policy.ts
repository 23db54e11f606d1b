/**
 * A policy's agent-action part compiled for evaluation: agents by id, rules sorted and their
 * globs, host lists and parameter patterns compiled (RE2), host matchers for internal and
 * trusted destinations. Built once per CompiledPolicy object on the thread that evaluates
 * (the main thread) and kept as long as the policy object lives.
 */
import type RE2 from 're2';
import { compileUserPattern } from '../detectors/user-pattern.js';
import { agentActionsOf } from '../policy/agent-action-defaults.js';
import type { ActionRuleSpec, AgentActionPolicy, AgentActionTypeName, AgentSpec, CompiledPolicy, ParameterCheckSpec } from '../policy/types.js';
import { compileGlob, type GlobMatcher } from './glob.js';
import { HostMatcher } from './host-names.js';

export interface CompiledParameterCheck {
  spec: ParameterCheckSpec;
  pattern: RE2 | null;
  notPattern: RE2 | null;
  oneOf: ReadonlySet<string> | null;
}

export interface CompiledActionRule {
  spec: ActionRuleSpec;
  appliesTo: ReadonlySet<AgentActionTypeName> | null;
  agents: ReadonlySet<string> | null;
  target: GlobMatcher;
  hostAllow: HostMatcher | null;
  hostDeny: HostMatcher | null;
  pathAllow: GlobMatcher[] | null;
  pathDeny: GlobMatcher[] | null;
  parameters: CompiledParameterCheck[];
}

export interface CompiledActionPolicy {
  policy: CompiledPolicy;
  config: AgentActionPolicy;
  /** Empty map = no registry (any agent id may act). */
  agents: ReadonlyMap<string, AgentSpec>;
  rules: CompiledActionRule[];
  /** Destinations that are not "external": actionSettings.internalHosts. */
  internalHosts: HostMatcher;
  /** Internal hosts plus every host an ALLOW rule lists: the policy author trusts those. */
  trustedHosts: HostMatcher;
}

function compileParameterCheck(spec: ParameterCheckSpec): CompiledParameterCheck {
  const flags = spec.caseSensitive ? '' : 'i';
  return {
    spec,
    pattern: spec.pattern ? compileUserPattern(spec.pattern, flags) : null,
    notPattern: spec.notPattern ? compileUserPattern(spec.notPattern, flags) : null,
    oneOf: spec.oneOf ? new Set(spec.oneOf) : null,
  };
}

function compileRule(spec: ActionRuleSpec): CompiledActionRule {
  const hosts = spec.hosts;
  const paths = spec.paths;
  return {
    spec,
    appliesTo: spec.appliesTo.length > 0 ? new Set(spec.appliesTo) : null,
    agents: spec.agents.length > 0 ? new Set(spec.agents) : null,
    target: compileGlob(spec.target, 'target'),
    hostAllow: hosts && hosts.allow.length > 0 ? new HostMatcher(hosts.allow) : null,
    hostDeny: hosts && hosts.deny.length > 0 ? new HostMatcher(hosts.deny) : null,
    pathAllow: paths && paths.allow.length > 0 ? paths.allow.map((g) => compileGlob(g, 'path')) : null,
    pathDeny: paths && paths.deny.length > 0 ? paths.deny.map((g) => compileGlob(g, 'path')) : null,
    parameters: spec.parameters.map(compileParameterCheck),
  };
}

function compile(policy: CompiledPolicy): CompiledActionPolicy {
  const config = agentActionsOf(policy);
  // Stable sort: equal priorities keep file order.
  const rules = config.actionRules
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => b.spec.priority - a.spec.priority || a.index - b.index)
    .map(({ spec }) => compileRule(spec));
  const allowHosts = config.actionRules.filter((r) => r.decision === 'ALLOW').flatMap((r) => r.hosts?.allow ?? []);
  return {
    policy,
    config,
    agents: new Map(config.agents.map((a) => [a.id, a])),
    rules,
    internalHosts: new HostMatcher(config.settings.internalHosts),
    trustedHosts: new HostMatcher([...config.settings.internalHosts, ...allowHosts]),
  };
}

const cache = new WeakMap<CompiledPolicy, CompiledActionPolicy>();

/** The compiled form of `policy`'s agent-action part (cached per policy object). */
export function compiledActionPolicy(policy: CompiledPolicy): CompiledActionPolicy {
  let c = cache.get(policy);
  if (!c) {
    c = compile(policy);
    cache.set(policy, c);
  }
  return c;
}
