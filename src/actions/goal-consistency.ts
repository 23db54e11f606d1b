/**
 * Does the action fit what the agent said it is doing? A heuristic over verbs: a goal made
 * only of reading verbs ("summarise the report", "analyse the logs") does not explain
 * sending something out of the organisation or changing things. Goals with no verb we know
 * ("help the customer") are not judged. The answer is a signal (anomaly, a reason, the
 * policy's onGoalMismatch), not proof.
 */
import type { AgentActionTypeName } from '../policy/types.js';

type Intent = 'read' | 'communicate' | 'modify';

const GOAL_VERBS: ReadonlyArray<readonly [Intent, RegExp]> = [
  ['read', /\b(?:summari[sz]e|summary|analy[sz]e|analysis|read|review|explain|translate|classify|categori[sz]e|search|find|look\s+up|lookup|answer|describe|list|count|compare|check|extract|inspect|understand|research|fetch|retrieve|query|report)\b/i],
  ['communicate', /\b(?:send|e-?mail|mail|notify|message|post|share|forward|reply|respond|publish|tweet|upload|submit|invite|contact|alert|broadcast|sync|export)\b/i],
  ['modify', /\b(?:write|update|edit|modify|delete|remove|create|save|store|deploy|install|run|execute|fix|refactor|migrate|clean(?:\s*up)?|format|move|rename|commit|push|book|buy|pay|transfer|order|schedule|generate|build|set\s*up|configure|change)\b/i],
];

const SENDING_TOOL = /(?:^|[_.\-\s])(?:send|email|mail|smtp|post|publish|share|upload|notify|message|slack|tweet|webhook|forward|sms|teams|discord)(?:$|[_.\-\s])|^(?:send|email|mail|post|upload|notify|message|forward)/i;
const CHANGING_TOOL = /(?:^|[_.\-\s])(?:delete|remove|write|update|create|insert|drop|exec|execute|run|deploy|install|transfer|pay|purchase|commit|push|shell|command)(?:$|[_.\-\s])|^(?:delete|remove|write|update|create|exec|execute|run|deploy|install|transfer|pay)/i;
const WRITE_SQL = /^\s*(?:insert|update|delete|drop|alter|create|truncate|grant|merge|replace)\b/i;

export interface GoalCheckInput {
  goal: string;
  actionType: AgentActionTypeName;
  target: string;
  /** The action reaches a destination outside the organisation (URL host or e-mail domain). */
  externalDestination: boolean;
  /** The SQL text, for DATABASE_QUERY. */
  query?: string;
}

function goalIntents(goal: string): Set<Intent> {
  const out = new Set<Intent>();
  for (const [intent, re] of GOAL_VERBS) if (re.test(goal)) out.add(intent);
  return out;
}

function actionIntent(input: GoalCheckInput): Intent {
  const t = input.actionType;
  if (t === 'AGENT_MESSAGE' || SENDING_TOOL.test(input.target)) return 'communicate';
  if (t === 'FILE_WRITE' || t === 'MEMORY_WRITE' || t === 'CODE_EXEC') return 'modify';
  if (t === 'DATABASE_QUERY' && input.query !== undefined && WRITE_SQL.test(input.query)) return 'modify';
  if (CHANGING_TOOL.test(input.target)) return 'modify';
  return 'read';
}

/** Why the action does not fit the goal, or undefined when it fits (or the goal says too little). */
export function goalMismatchReason(input: GoalCheckInput): string | undefined {
  if (input.goal.trim() === '') return undefined;
  const goal = goalIntents(input.goal);
  if (goal.size === 0) return undefined;
  const action = actionIntent(input);
  if (action === 'communicate' && !goal.has('communicate') && input.externalDestination) {
    return 'the declared goal does not involve sending anything, but the action sends to an external destination';
  }
  if (action === 'modify' && !goal.has('modify') && !goal.has('communicate')) {
    return 'the declared goal only reads, but the action changes or executes something';
  }
  return undefined;
}
