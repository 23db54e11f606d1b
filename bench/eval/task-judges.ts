/**
 * What counts as "detected" per task, for Bulwark's scan results and for peer predictions.
 *
 * - Injection: a PROMPT_INJECTION or JAILBREAK threat whose policy action is BLOCK or WARN (the
 *   shipped operating point); score = the highest confidence among them, 0 when none.
 * - Secrets: as bench/eval-secrets.ts decides it. A positive row with labelled value spans
 *   (CredSweeper) is found only when a SECRET span overlaps one of them; a row without spans
 *   (noseyparker) when any SECRET is reported; a negative row is a false positive when any SECRET
 *   is reported.
 * - Toxicity: any TOXICITY threat.
 * - PII: the spans of PII threats, typed by entity.
 * Threats the policy maps to ALLOW never reach a result, so they never count.
 */
import type { ThreatResult } from '../../src/engine/types.js';
import type { ScanOutcome } from './bulwark-scan.js';
import { spansOverlap, type TypedSpan } from './metrics.js';

/** A hit of some detector: its confidence and its spans (code points; empty = whole text). */
export interface Hit {
  confidence: number;
  spans: ReadonlyArray<{ start: number; end: number }>;
}

export interface Decision {
  detected: boolean;
  score: number;
}

const INJECTION_TYPES = new Set(['PROMPT_INJECTION', 'JAILBREAK']);

function maxConfidence(hits: readonly Hit[]): number {
  return hits.reduce((m, h) => Math.max(m, h.confidence), 0);
}

function threatsOf(outcome: ScanOutcome, types: ReadonlySet<string>, actions?: ReadonlySet<string>): ThreatResult[] {
  return outcome.threats.filter((t) => types.has(t.type) && (actions === undefined || actions.has(t.action)));
}

export function judgeInjection(outcome: ScanOutcome): Decision {
  const hits = threatsOf(outcome, INJECTION_TYPES, new Set(['BLOCK', 'WARN']));
  return { detected: hits.length > 0, score: maxConfidence(hits) };
}

export function judgeToxicity(outcome: ScanOutcome): Decision {
  const hits = threatsOf(outcome, new Set(['TOXICITY']));
  return { detected: hits.length > 0, score: maxConfidence(hits) };
}

/**
 * The secrets rule over any detector's hits. `goldSpans` empty = the row has no labelled spans.
 * A hit without spans (about the whole text) overlaps every labelled span.
 */
export function judgeSecretHits(label: 0 | 1, goldSpans: readonly TypedSpan[], hits: readonly Hit[]): Decision {
  if (label === 0 || goldSpans.length === 0) return { detected: hits.length > 0, score: maxConfidence(hits) };
  const counted = hits.filter((h) => h.spans.length === 0 || h.spans.some((s) => goldSpans.some((g) => spansOverlap(s, g))));
  return { detected: counted.length > 0, score: maxConfidence(counted) };
}

export function judgeSecret(label: 0 | 1, goldSpans: readonly TypedSpan[], outcome: ScanOutcome): Decision {
  return judgeSecretHits(label, goldSpans, threatsOf(outcome, new Set(['SECRET'])));
}

/** Every span of every PII threat, typed by its entity (code points). */
export function predictedPiiSpans(outcome: ScanOutcome): TypedSpan[] {
  return threatsOf(outcome, new Set(['PII'])).flatMap((t) => t.spans.map((s) => ({ type: t.entityType, start: s.start, end: s.end })));
}
