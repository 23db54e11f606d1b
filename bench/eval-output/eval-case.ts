/** The shape of one OUTPUT-side evaluation case (bench/eval-output/cases.jsonl). */

/** The canary secret the evaluation's policy is compiled with (BULWARK_CANARY_KEY). */
export const EVAL_CANARY_SECRET = 'evaluation-canary-secret-0001';

export interface EvalCase {
  id: string;
  /** The threat type a detection is counted for. */
  threat: 'SYSTEM_PROMPT_LEAK' | 'DATA_EXFILTRATION' | 'PROMPT_INJECTION' | 'UNSAFE_CODE' | 'MALICIOUS_URL';
  /** 1 = should be flagged, 0 = must pass. */
  label: 0 | 1;
  /** A short tag for per-family numbers ("leak-100", "canary-spaced", ...). */
  family: string;
  content: string;
  systemPrompt?: string;
  inputContent?: string;
  tenant?: string;
}
