/**
 * The built-in agent-action policy: what CheckAction enforces when a policy says nothing
 * about agents. examples/policies/default.yaml writes it out (a test checks they agree).
 *
 * Why these values:
 * - defaultDecision DENY: an action no rule allows does not run (least privilege; the agent
 *   runtime fails closed too). A policy opts actions in with actionRules.
 * - Every built-in check on: destructive commands, privilege escalation, personal data or
 *   secrets sent to external hosts, credential files and disguised URLs are never what an
 *   agent should do unattended, whatever the rules allow.
 * - Behaviour: 20 actions of warm-up before a new target or action type counts as unusual;
 *   with score smoothing 0.2, two actions caught by a built-in check (anomaly 0.7) make an
 *   agent SUSPICIOUS (< 0.75) and six in a row COMPROMISED (< 0.5), while one odd action is
 *   forgiven. Compromised
 *   agents are quarantined. Anomalies and goal mismatches are FLAGGED (reasons, score) rather
 *   than denied: the heuristics guide review; the score and quarantine act on patterns.
 * - A burst is more than 5x the agent's usual per-second rate and more than 10 per second.
 */
import type { AgentActionPolicy } from './types.js';

export const DEFAULT_AGENT_ACTIONS: AgentActionPolicy = {
  agents: [],
  actionRules: [],
  rateLimits: [],
  behaviour: {
    enabled: true,
    warmupActions: 20,
    scoreSmoothing: 0.2,
    suspiciousBelow: 0.75,
    compromisedBelow: 0.5,
    quarantine: true,
    anomalyThreshold: 0.6,
    onAnomaly: 'FLAG',
    onGoalMismatch: 'FLAG',
    burstFactor: 5,
    burstMinPerSecond: 10,
  },
  settings: {
    defaultDecision: 'DENY',
    internalHosts: [],
    builtInChecks: { dangerousCommands: true, privilegeEscalation: true, exfiltration: true, sensitivePaths: true, suspiciousUrls: true },
    auditScans: false,
  },
};

/** The agent-action part of a compiled policy, or the built-in one when it has none. */
export function agentActionsOf(policy: { agentActions?: AgentActionPolicy }): AgentActionPolicy {
  return policy.agentActions ?? DEFAULT_AGENT_ACTIONS;
}
