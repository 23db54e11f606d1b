/**
 * CheckAction's outcome on its server span (the active span while the handler runs). The
 * action's target and parameters are never recorded: they are URLs, commands and queries.
 */
import { trace } from '@opentelemetry/api';
import type { ActionDecisionData, ActionRequestData } from '../../actions/action-names.js';
import { ATTR_ACTION, ATTR_POLICY_VERSION, ATTR_TENANT, ATTR_THREAT_COUNT } from './pool-hop-spans.js';
import { tracingState } from './tracing-state.js';

export function annotateCheckAction(request: ActionRequestData, decision: ActionDecisionData): void {
  if (tracingState.tracer === undefined) return;
  trace.getActiveSpan()?.setAttributes({
    [ATTR_TENANT]: decision.tenantId || request.tenantId || 'default',
    'bulwark.action_type': request.actionType,
    [ATTR_ACTION]: decision.decision,
    'bulwark.reason_code': decision.reasonCode,
    [ATTR_THREAT_COUNT]: decision.threats.length,
    [ATTR_POLICY_VERSION]: decision.policyVersion,
  });
}
