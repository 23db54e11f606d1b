/**
 * The behavioural model, as pure functions over an agent's baseline. The in-process store
 * calls these; the Redis store runs the same arithmetic in Lua (redis-observe-script.ts), and
 * one conformance suite runs over both.
 *
 * Per action, an anomaly score in 0..1 combines independent signals as a probabilistic OR
 * (1 - Π(1 - f)): a new target, an action type the agent never or rarely takes (both only
 * after a warm-up), a burst far above the agent's usual rate, and what the evaluation saw
 * (built-in check findings, goal mismatch, a denial). The agent's behavioural score is an
 * exponential moving average of (1 - anomaly), so one odd action is forgiven and a run of
 * them is not; thresholds on it give the agent's health.
 */
import type { BehaviourSpec } from '../../policy/types.js';
import type { AgentHealthName } from '../action-names.js';

export const FACTOR_NEW_TARGET = 0.25;
export const FACTOR_UNSEEN_TYPE = 0.35;
export const FACTOR_RARE_TYPE = 0.15;
export const FACTOR_BURST = 0.3;
/** Below this share of the agent's actions, a type is rare. */
export const RARE_TYPE_SHARE = 0.05;
/** Weight of the last completed second in the agent's usual rate. */
export const RATE_SMOOTHING = 0.2;
/** Targets remembered per agent; beyond, new targets are still scored but not stored. */
export const MAX_TARGETS_PER_AGENT = 1000;

/** Bit flags of the factors that fired (kept as bits so Lua can return them cheaply). */
export const FACTOR_BITS = { 'new-target': 1, 'unseen-type': 2, 'rare-type': 4, burst: 8 } as const;
export type FactorName = keyof typeof FACTOR_BITS;

export function factorNames(mask: number): FactorName[] {
  return (Object.keys(FACTOR_BITS) as FactorName[]).filter((n) => (mask & FACTOR_BITS[n]) !== 0);
}

/** The per-second rate state: the current second, its count so far, the smoothed usual rate. */
export interface RateState {
  second: number;
  count: number;
  usualPerSecond: number;
}

/** Advances `rate` to `nowMs` and counts one action; returns the count in the current second. */
export function countAction(rate: RateState, nowMs: number): number {
  const second = Math.floor(nowMs / 1000);
  if (second !== rate.second) {
    if (rate.second > 0) {
      const gap = second - rate.second;
      rate.usualPerSecond = rate.usualPerSecond * (1 - RATE_SMOOTHING) + RATE_SMOOTHING * rate.count;
      if (gap > 1) rate.usualPerSecond *= Math.pow(1 - RATE_SMOOTHING, Math.min(gap - 1, 200));
    }
    rate.second = second;
    rate.count = 0;
  }
  rate.count += 1;
  return rate.count;
}

export interface BaselineView {
  /** Actions that extended the baseline (allowed ones). */
  learned: number;
  typeCount: number;
  targetSeen: boolean;
  countThisSecond: number;
  usualPerSecond: number;
}

/** The factors that fire for one action, as a bit mask. */
export function anomalyFactors(b: BaselineView, spec: BehaviourSpec): number {
  let mask = 0;
  if (b.learned >= spec.warmupActions) {
    if (!b.targetSeen) mask |= FACTOR_BITS['new-target'];
    if (b.typeCount === 0) mask |= FACTOR_BITS['unseen-type'];
    else if (b.typeCount / b.learned < RARE_TYPE_SHARE) mask |= FACTOR_BITS['rare-type'];
  }
  if (b.countThisSecond > Math.max(spec.burstMinPerSecond, spec.burstFactor * b.usualPerSecond)) mask |= FACTOR_BITS.burst;
  return mask;
}

/** 1 - (1 - signal) · Π(1 - factor). */
export function anomalyScore(mask: number, signal: number): number {
  let keep = 1 - signal;
  if (mask & FACTOR_BITS['new-target']) keep *= 1 - FACTOR_NEW_TARGET;
  if (mask & FACTOR_BITS['unseen-type']) keep *= 1 - FACTOR_UNSEEN_TYPE;
  if (mask & FACTOR_BITS['rare-type']) keep *= 1 - FACTOR_RARE_TYPE;
  if (mask & FACTOR_BITS.burst) keep *= 1 - FACTOR_BURST;
  return 1 - keep;
}

export function nextScore(score: number, anomaly: number, spec: BehaviourSpec): number {
  return score * (1 - spec.scoreSmoothing) + spec.scoreSmoothing * (1 - anomaly);
}

export function healthOf(score: number, spec: BehaviourSpec): AgentHealthName {
  if (score < spec.compromisedBelow) return 'COMPROMISED';
  if (score < spec.suspiciousBelow) return 'SUSPICIOUS';
  return 'HEALTHY';
}

/** The quarantine reason recorded when the score crosses the compromised threshold. */
export function quarantineReason(score: number, spec: BehaviourSpec): string {
  return `behaviour score ${score.toFixed(3)} fell below ${spec.compromisedBelow}`;
}
