/**
 * Threat → action. Actions are ordered ALLOW < WARN < REDACT < BLOCK and a scan's action is
 * the most severe one over its threats.
 */
import type { ActionName, DirectionName, Finding } from '../detectors/types.js';
import type { CompiledPolicy } from '../policy/types.js';

const RANK: Readonly<Record<ActionName, number>> = { ALLOW: 0, WARN: 1, REDACT: 2, BLOCK: 3 };

/** The more severe of two actions. */
export function moreSevere(a: ActionName, b: ActionName): ActionName {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The most severe action of a list; ALLOW for none. */
export function mostSevere(actions: Iterable<ActionName>): ActionName {
  let result: ActionName = 'ALLOW';
  for (const action of actions) result = moreSevere(result, action);
  return result;
}

/**
 * The action for one finding: the rule's own action when it carries one (custom rules),
 * otherwise the policy's action for the finding's type in this direction.
 */
export function actionForFinding(finding: Finding, policy: CompiledPolicy, direction: DirectionName): ActionName {
  if (finding.action) return finding.action;
  if (finding.type === 'SCANNER_ERROR') return policy.failMode === 'closed' ? 'BLOCK' : 'WARN';
  return policy.threats[finding.type].action[direction];
}

/** Findings below their type's minConfidence are dropped (scanner errors never are). */
export function meetsConfidence(finding: Finding, policy: CompiledPolicy): boolean {
  if (finding.type === 'SCANNER_ERROR') return true;
  return finding.confidence >= policy.threats[finding.type].minConfidence;
}

/**
 * Severe and certain enough to skip the remaining detectors: the outcome is BLOCK whatever
 * else they find, so running them only costs latency.
 */
export function shortCircuits(finding: Finding, action: ActionName): boolean {
  return action === 'BLOCK' && finding.severity === 'CRITICAL' && finding.confidence > 0.95;
}
