import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_ACTIONS } from '../../src/policy/agent-action-defaults.js';
import { defaultPolicySet, parsePolicySet } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import { EXAMPLE_POLICY_YAML } from '../actions/example-policy.js';

const env = { BULWARK_HASH_SALT: 'test-salt-0123456789' };

function errorOf(yaml: string): PolicyValidationError {
  try {
    parsePolicySet(yaml, 'p.yaml', env);
  } catch (err) {
    if (err instanceof PolicyValidationError) return err;
    throw err;
  }
  throw new Error('expected a validation error');
}

const HEAD = 'apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: t }\nspec:\n';

describe('agent-action policy sections', () => {
  it('compiles the issue example', () => {
    const set = parsePolicySet(EXAMPLE_POLICY_YAML, 'example.yaml', env);
    const actions = set.tenants.acme?.default?.agentActions;
    expect(actions?.agents).toEqual([{ id: 'data_processor', owner: 'data-team@acme.example', allowedActions: ['TOOL_CALL', 'DATABASE_QUERY'] }]);
    expect(actions?.actionRules.map((r) => [r.id, r.target, r.decision, r.priority])).toEqual([
      ['http-only-internal', 'http_request', 'ALLOW', 0],
      ['shell-allowed', 'execute_command', 'ALLOW', 0],
      ['db-reads', '*', 'ALLOW', 0],
    ]);
    expect(actions?.actionRules[0]?.hosts).toEqual({ allow: ['internal.acme.example'], deny: [] });
    expect(actions?.rateLimits).toEqual([{ id: 'rate-limit-0', agent: 'data_processor', actionType: 'DATABASE_QUERY', limit: 50, windowMs: 60_000, burst: 50 }]);
    expect(actions?.settings.defaultDecision).toBe('DENY');
    expect(actions?.behaviour).toEqual(DEFAULT_AGENT_ACTIONS.behaviour);
  });

  it('the built-in default has no agents or rules and denies by default', () => {
    const actions = defaultPolicySet(env).tenants.default?.default?.agentActions;
    expect(actions).toEqual(DEFAULT_AGENT_ACTIONS);
  });

  it('stores host patterns in canonical form (case, trailing dot, IDN)', () => {
    const set = parsePolicySet(
      HEAD + "  actionRules:\n    - { id: r, target: x, hosts: { allow: [Internal.Acme.Example., 'bücher.example', '*.Corp.example'] }, decision: ALLOW }\n",
      'p.yaml',
      env,
    );
    expect(set.tenants.t?.default?.agentActions?.actionRules[0]?.hosts?.allow).toEqual(['internal.acme.example', 'xn--bcher-kva.example', '*.corp.example']);
  });

  it('reports mistakes with file, line and field', () => {
    const typo = errorOf(HEAD + '  actionRules:\n    - id: r\n      target: x\n      decison: ALLOW\n');
    expect(typo.location).toBe('p.yaml:6 spec.actionRules[0]');
    expect(typo.message).toContain('needs a decision');
    expect(typo.message).toContain('p.yaml:8 spec.actionRules[0].decison: unknown field');

    const badType = errorOf(HEAD + '  agents:\n    - id: a\n      owner: o\n      allowedActions: [TOOL_CALL, SHELL]\n');
    expect(badType.location).toBe('p.yaml:8 spec.agents[0].allowedActions[1]');
    expect(badType.message).toMatch(/allowedActions\[1\].*must be one of TOOL_CALL/);

    const twoWindows = errorOf(HEAD + '  rateLimits:\n    - { agent: a, perMinute: 5, perSecond: 1 }\n');
    expect(twoWindows.message).toContain('exactly one of perSecond, perMinute or perHour');

    const badPattern = errorOf(HEAD + "  actionRules:\n    - id: r\n      parameters: [{ name: q, pattern: '(?=x)' }]\n      decision: DENY\n");
    expect(badPattern.message).toMatch(/lookahead/);

    const badHost = errorOf(HEAD + "  actionSettings: { internalHosts: ['http://x.example/'] }\n");
    expect(badHost.message).toContain('must be a hostname');

    const thresholds = errorOf(HEAD + '  behaviour: { suspiciousBelow: 0.3, compromisedBelow: 0.6 }\n');
    expect(thresholds.message).toContain('compromisedBelow must not be above suspiciousBelow');

    const dup = errorOf(HEAD + '  actionRules:\n    - { id: r, decision: ALLOW }\n    - { id: r, decision: DENY }\n');
    expect(dup.message).toContain('duplicate rule id "r"');
  });

  it('a policy that states nothing about agents compiles to the same version as before', () => {
    const a = parsePolicySet(HEAD + '  failMode: closed\n', 'p.yaml', env);
    const b = parsePolicySet(HEAD + '  failMode: closed\n  actionSettings: { defaultDecision: DENY }\n', 'p.yaml', env);
    expect(a.tenants.t?.default?.version).toBe(b.tenants.t?.default?.version);
  });
});
