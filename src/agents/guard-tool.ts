/**
 * guardTool: wraps an async tool so that CheckAction decides before every call.
 *
 *   const search = guardTool(searchDocs, { agentId: 'report_bot', goal: 'summarise Q3', client });
 *   await search({ query: 'revenue' });   // throws ActionDeniedError when denied
 *
 * ALLOW runs the tool. DENY throws {@link ActionDeniedError} (with the reason code and, for
 * RETRY_LATER, retryAfterMs). REQUIRE_APPROVAL asks `onApprovalRequired` and runs the tool only
 * when it resolves true; without it, approval is refused. When the sidecar cannot be reached
 * the tool does not run (fail closed, {@link ActionCheckUnavailableError}) unless `failOpen`.
 */
import type { ActionDecisionData, AgentActionTypeName, JsonParameters } from '../actions/action-names.js';
import type { ActionChecker } from './action-client.js';

export interface GuardOptions<A extends unknown[]> {
  agentId: string;
  /** The agent's declared goal, checked against what the tool does. */
  goal?: string;
  /** The gRPC client (createAgentActionClient) or an in-process AgentActionRuntime. */
  client: ActionChecker;
  tenantId?: string;
  sessionId?: string;
  /** Default TOOL_CALL. */
  actionType?: AgentActionTypeName;
  /** Default: the function's name. */
  target?: string;
  /** The parameters CheckAction sees; default: the first argument when it is an object, else { args }. */
  parameters?: (...args: A) => JsonParameters;
  /** Run the tool anyway when the sidecar is unreachable (default false: fail closed). */
  failOpen?: boolean;
  /** Asked on REQUIRE_APPROVAL; resolve true to run the tool. */
  onApprovalRequired?: (decision: ActionDecisionData) => Promise<boolean>;
}

/** CheckAction said no (or approval was refused). */
export class ActionDeniedError extends Error {
  readonly reasonCode: string;
  readonly retryAfterMs: number;
  constructor(readonly decision: ActionDecisionData) {
    super(`action denied (${decision.reasonCode}${decision.matchedRuleId ? `, ${decision.matchedRuleId}` : ''}): ${decision.reasons[0] ?? 'no reason given'}`);
    this.name = 'ActionDeniedError';
    this.reasonCode = decision.reasonCode;
    this.retryAfterMs = decision.retryAfterMs;
  }
}

/** The sidecar could not be asked; the tool did not run. */
export class ActionCheckUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`CheckAction unavailable, tool not run (fail closed): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ActionCheckUnavailableError';
  }
}

function defaultParameters(args: unknown[]): JsonParameters {
  const first = args[0];
  if (args.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first)) return first as JsonParameters;
  return { args };
}

/** Wraps `fn`; the wrapper has the same signature. */
export function guardTool<A extends unknown[], R>(fn: (...args: A) => Promise<R>, options: GuardOptions<A>): (...args: A) => Promise<R> {
  const target = options.target ?? fn.name;
  return async (...args: A): Promise<R> => {
    let decision: ActionDecisionData;
    try {
      decision = await options.client.checkAction({
        tenantId: options.tenantId ?? '',
        agentId: options.agentId,
        sessionId: options.sessionId ?? '',
        actionType: options.actionType ?? 'TOOL_CALL',
        target,
        parameters: options.parameters ? options.parameters(...args) : defaultParameters(args),
        declaredGoal: options.goal ?? '',
        requestId: '',
        policyId: '',
      });
    } catch (err) {
      if (options.failOpen) return fn(...args);
      throw new ActionCheckUnavailableError(err);
    }
    if (decision.decision === 'ALLOW') return fn(...args);
    if (decision.decision === 'REQUIRE_APPROVAL' && options.onApprovalRequired && (await options.onApprovalRequired(decision))) return fn(...args);
    throw new ActionDeniedError(decision);
  };
}
