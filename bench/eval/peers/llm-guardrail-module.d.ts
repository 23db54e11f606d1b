/** Types for the untyped `llm_guardrail` package (only what the adapter calls). */
declare module 'llm_guardrail' {
  interface CheckResult {
    allowed: boolean;
    detected: boolean;
    prediction: number;
    /** Probability of the threat class. */
    confidence: number;
    probabilities: { safe: number; threat: number };
  }
  export function checkInjection(prompt: string): Promise<CheckResult>;
  export function checkJailbreak(prompt: string): Promise<CheckResult>;
  export function checkMalicious(prompt: string): Promise<CheckResult>;
}
