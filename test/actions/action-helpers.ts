/** Helpers for the action tests: requests with defaults and a runtime over a YAML policy. */
import { AgentActionRuntime, type ActionRuntimeOptions } from '../../src/actions/action-runtime.js';
import type { ActionRequestData } from '../../src/actions/action-names.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import type { PolicySet } from '../../src/policy/types.js';

export const TEST_ENV = { BULWARK_HASH_SALT: 'test-salt-0123456789' };

export function action(partial: Partial<ActionRequestData>): ActionRequestData {
  return {
    tenantId: 'acme',
    agentId: 'data_processor',
    sessionId: 's-1',
    actionType: 'TOOL_CALL',
    target: '',
    parameters: {},
    declaredGoal: '',
    requestId: 'r-1',
    policyId: '',
    ...partial,
  };
}

export function policySet(yaml: string): PolicySet {
  return parsePolicySet(yaml, 'test.yaml', TEST_ENV);
}

export function runtime(yaml: string, options: Partial<ActionRuntimeOptions> = {}): AgentActionRuntime {
  const set = policySet(yaml);
  return new AgentActionRuntime({ policySet: () => set, ...options });
}
