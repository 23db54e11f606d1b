/**
 * System-prompt leak detector (OWASP LLM07, MITRE ATLAS AML.T0056 "Extract LLM System Prompt").
 *
 * Two signals, both from the scan's context (DetectorInput.context):
 * - Canary tokens of the tenant (output/canary-token.ts), found even when split by spaces,
 *   zero-width characters or case changes, and inside decoded base64/hex/URL runs: a CRITICAL
 *   finding with confidence 1. Needs the tenant's canary key.
 * - Overlap with the scan's system prompt (output/prompt-shingles.ts): an answer reproducing
 *   at least `minMatchedWords` distinctive words of the prompt in word 4-grams. Confidence
 *   grows with the share of the prompt reproduced and, for long prompts of which one window
 *   sees only a part (streams), with the absolute number of words.
 *
 * The prompt's index is memoised per distinct prompt string (a stream sends the same prompt
 * with every window); results depend only on the inputs, so detection stays pure.
 */
import type { OutputGuardsConfig } from '../policy/types.js';
import { DEFAULT_OUTPUT_GUARDS } from '../policy/default-policy.js';
import { findCanaryTokens } from './output/canary-token.js';
import { indexPrompt, promptOverlap, type PromptIndex } from './output/prompt-shingles.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, TextSpan } from './types.js';

export const SYSTEM_PROMPT_LEAK_DETECTOR_ID = 'system-prompt-leak';
const OWASP_ID = 'LLM07';
const ATLAS_TECHNIQUE = 'AML.T0056';
/** Prompt indexes memoised per detector instance. */
const MAX_CACHED_PROMPTS = 64;
/** Prompts longer than this are indexed on their first part only (bounds per-scan work). */
const MAX_PROMPT_CHARS = 64 * 1024;

/** Builds the detector, or null when the policy switches leak detection off. */
export const createSystemPromptLeakDetector: DetectorFactory = (policy) => {
  const config = (policy.outputGuards ?? DEFAULT_OUTPUT_GUARDS).systemPromptLeak;
  if (!config.enabled) return null;
  return new SystemPromptLeakDetector(config);
};

/**
 * Confidence of an overlap: the larger of a share curve (a fifth of the prompt → 0.58, half →
 * 0.78, all → 0.98) and a count curve (the minimum → 0.55, 40 distinctive words → 0.9), so a long
 * leak is caught in a stream window that sees only part of it.
 */
export function overlapConfidence(matchedWords: number, share: number, minMatchedWords: number): number {
  if (matchedWords < minMatchedWords) return 0;
  const byShare = 0.45 + share * 0.65;
  const byCount = Math.min(0.9, 0.55 + ((matchedWords - minMatchedWords) / Math.max(1, 40 - minMatchedWords)) * 0.35);
  return Math.round(Math.min(0.98, Math.max(byShare, byCount)) * 100) / 100;
}

class SystemPromptLeakDetector implements Detector {
  readonly id = SYSTEM_PROMPT_LEAK_DETECTOR_ID;
  readonly produces = ['SYSTEM_PROMPT_LEAK'] as const;
  private readonly indexes = new Map<string, PromptIndex>();

  constructor(private readonly config: OutputGuardsConfig['systemPromptLeak']) {}

  detect(input: DetectorInput): Finding[] {
    const context = input.context;
    if (!context) return [];
    const findings: Finding[] = [];
    const canaries = this.canarySpans(input, context.canaryKey);
    if (canaries.length > 0) {
      findings.push({
        type: 'SYSTEM_PROMPT_LEAK',
        severity: 'CRITICAL',
        confidence: 1,
        detector: this.id,
        ruleId: 'canary-token',
        spans: canaries,
        owaspId: OWASP_ID,
        atlasTechnique: ATLAS_TECHNIQUE,
        description: "The content contains the tenant's canary token: the system prompt has leaked.",
      });
    }
    if (context.systemPrompt) {
      const overlap = this.overlapFinding(input, context.systemPrompt);
      if (overlap) findings.push(overlap);
    }
    return findings;
  }

  private canarySpans(input: DetectorInput, key: string | undefined): TextSpan[] {
    if (!key) return [];
    const spans = findCanaryTokens(input.text.original, key);
    for (const view of input.text.views) {
      if (view.kind !== 'decoded' || view.rawText === undefined) continue;
      if (findCanaryTokens(view.rawText, key).length > 0) spans.push(view.toOriginal(0, view.text.length));
    }
    return spans;
  }

  private overlapFinding(input: DetectorInput, systemPrompt: string): Finding | null {
    const index = this.indexOf(systemPrompt);
    if (index.distinctiveCount === 0) return null;
    let best = promptOverlap(index, input.text.original);
    for (const view of input.text.views) {
      if (view.kind !== 'decoded' || view.rawText === undefined) continue;
      const decoded = promptOverlap(index, view.rawText);
      if (decoded.matchedWords > best.matchedWords) best = { ...decoded, spans: [view.toOriginal(0, view.text.length)] };
    }
    const confidence = overlapConfidence(best.matchedWords, best.share, this.config.minMatchedWords);
    if (confidence === 0) return null;
    const percent = Math.round(best.share * 100);
    return {
      type: 'SYSTEM_PROMPT_LEAK',
      severity: best.share >= 0.5 ? 'CRITICAL' : 'HIGH',
      confidence,
      detector: this.id,
      ruleId: 'system-prompt-overlap',
      spans: best.spans,
      owaspId: OWASP_ID,
      atlasTechnique: ATLAS_TECHNIQUE,
      description: `The content reproduces ${percent}% of the system prompt (${best.matchedWords} distinctive words).`,
    };
  }

  private indexOf(prompt: string): PromptIndex {
    const hit = this.indexes.get(prompt);
    if (hit) return hit;
    const index = indexPrompt(prompt.length > MAX_PROMPT_CHARS ? prompt.slice(0, MAX_PROMPT_CHARS) : prompt);
    if (this.indexes.size >= MAX_CACHED_PROMPTS) this.indexes.delete(this.indexes.keys().next().value as string);
    this.indexes.set(prompt, index);
    return index;
  }
}
