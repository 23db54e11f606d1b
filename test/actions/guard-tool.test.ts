import { describe, expect, it } from 'vitest';
import { ActionCheckUnavailableError, ActionDeniedError, guardTool } from '../../src/agents/guard-tool.js';
import { createAgentActionClient } from '../../src/agents/action-client.js';
import { runtime } from './action-helpers.js';
import { EXAMPLE_POLICY_YAML } from './example-policy.js';

describe('guardTool', () => {
  const rt = runtime(EXAMPLE_POLICY_YAML);
  let runs = 0;
  async function execute_command(input: { command: string }): Promise<string> {
    runs++;
    return `ran ${input.command.length} chars`;
  }
  const guarded = guardTool(execute_command, { client: rt, tenantId: 'acme', agentId: 'data_processor', goal: 'list the report files' });

  it('runs the tool when allowed and throws a typed error (tool not run) when denied', async () => {
    runs = 0;
    expect(await guarded({ command: 'ls -la' })).toBe('ran 6 chars');
    const err = await guarded({ command: 'sudo rm -rf /' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionDeniedError);
    expect((err as ActionDeniedError).reasonCode).toBe('DANGEROUS_COMMAND');
    expect(runs).toBe(1);
  });

  it('REQUIRE_APPROVAL runs only when the approver says yes', async () => {
    const strict = runtime('apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: acme }\nspec:\n  actionRules:\n    - { id: refunds, target: refund, decision: REQUIRE_APPROVAL }\n');
    async function refund(amount: number): Promise<number> {
      return amount;
    }
    const refused = guardTool(refund, { client: strict, tenantId: 'acme', agentId: 'a' });
    await expect(refused(10)).rejects.toBeInstanceOf(ActionDeniedError);
    const approved = guardTool(refund, { client: strict, tenantId: 'acme', agentId: 'a', onApprovalRequired: async (d) => d.matchedRuleId === 'refunds' });
    expect(await approved(10)).toBe(10);
  });

  it('fails closed when the sidecar is unreachable, unless failOpen', async () => {
    const client = createAgentActionClient('127.0.0.1:1', { deadlineMs: 300 });
    try {
      runs = 0;
      const closed = guardTool(execute_command, { client, agentId: 'data_processor' });
      await expect(closed({ command: 'ls' })).rejects.toBeInstanceOf(ActionCheckUnavailableError);
      expect(runs).toBe(0);
      const open = guardTool(execute_command, { client, agentId: 'data_processor', failOpen: true });
      expect(await open({ command: 'ls' })).toBe('ran 2 chars');
    } finally {
      client.close();
    }
  });
});
