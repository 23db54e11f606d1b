/**
 * The arithmetic of the evaluation harness: confusion counts at the shipped operating point,
 * precision / recall / F1 / balanced accuracy, threshold-free ranking metrics (ROC-AUC, recall
 * at a fixed false-positive rate) and span matching.
 *
 * Reused rather than rewritten: ROC-AUC comes from the training metrics
 * (bench/train/classifier-metrics.ts, ties counted half), span tallies and per-type scores from
 * the PII evaluation (bench/pii-span-metrics.ts). Undefined ratios (no positives, no
 * predictions) are NaN, which the JSON report writes as null and the table as "n/a".
 */
import { rocAuc as rankAuc } from '../train/classifier-metrics.js';
import { scores as entityScores, tallyRowSpans, type EntityCounts, type EntityScores, type TypedSpan } from '../pii-span-metrics.js';

export type { EntityCounts, EntityScores, TypedSpan };

/** One labelled item as a detector saw it. */
export interface Judged {
  label: 0 | 1;
  /** The decision at the shipped operating point. */
  detected: boolean;
  /** A ranking score in [0, 1] (0 when the detector reported nothing). */
  score: number;
}

/** Binary confusion counts. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Rates at one operating point; NaN where a denominator is zero. */
export interface BinaryRates extends Confusion {
  positives: number;
  negatives: number;
  recall: number;
  /** False-positive rate on label 0. */
  fpr: number;
  precision: number;
  f1: number;
  /** Mean of recall and specificity: insensitive to the class balance of a source. */
  balancedAccuracy: number;
}

/** Threshold-free metrics of the ranking score. */
export interface RankingMetrics {
  rocAuc: number;
  /** Best recall whose false-positive rate stays at or below 1 %. */
  recallAtFpr1: number;
  /** Best recall whose false-positive rate stays at or below 0.1 %. */
  recallAtFpr01: number;
}

export function confusionOf(items: Iterable<Pick<Judged, 'label' | 'detected'>>): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const item of items) {
    if (item.label === 1) {
      if (item.detected) c.tp++;
      else c.fn++;
    } else if (item.detected) c.fp++;
    else c.tn++;
  }
  return c;
}

function ratio(n: number, d: number): number {
  return d === 0 ? Number.NaN : n / d;
}

/** F1 from counts: 2TP / (2TP + FP + FN); NaN when there is nothing to score. */
export function f1Of(tp: number, fp: number, fn: number): number {
  return ratio(2 * tp, 2 * tp + fp + fn);
}

export function ratesOf(c: Confusion): BinaryRates {
  const positives = c.tp + c.fn;
  const negatives = c.fp + c.tn;
  const recall = ratio(c.tp, positives);
  const fpr = ratio(c.fp, negatives);
  return {
    ...c,
    positives,
    negatives,
    recall,
    fpr,
    precision: ratio(c.tp, c.tp + c.fp),
    f1: f1Of(c.tp, c.fp, c.fn),
    balancedAccuracy: (recall + (1 - fpr)) / 2,
  };
}

/** Area under the ROC curve of `score` against `label` (ties half); NaN without both classes. */
export function rocAuc(items: ReadonlyArray<Pick<Judged, 'label' | 'score'>>): number {
  const positives = items.filter((i) => i.label === 1).length;
  if (positives === 0 || positives === items.length) return Number.NaN;
  return rankAuc(items.map((i) => ({ score: i.score, label: i.label, source: '' })));
}

/**
 * The highest recall over all thresholds t (flag when score >= t, t = +inf included) whose
 * false-positive rate is at most `maxFpr`. Exact on the ROC curve: tied scores move together,
 * so a tie between attacks and benign rows cannot be split to reach a rate.
 */
export function recallAtFpr(items: ReadonlyArray<Pick<Judged, 'label' | 'score'>>, maxFpr: number): number {
  const positives = items.filter((i) => i.label === 1).length;
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const sorted = [...items].sort((a, b) => b.score - a.score);
  let best = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; ) {
    const score = sorted[i]!.score;
    for (; i < sorted.length && sorted[i]!.score === score; i++) {
      if (sorted[i]!.label === 1) tp++;
      else fp++;
    }
    if (fp / negatives <= maxFpr) best = Math.max(best, tp / positives);
    else break; // fp only grows from here
  }
  return best;
}

export function rankingOf(items: ReadonlyArray<Pick<Judged, 'label' | 'score'>>): RankingMetrics {
  return { rocAuc: rocAuc(items), recallAtFpr1: recallAtFpr(items, 0.01), recallAtFpr01: recallAtFpr(items, 0.001) };
}

/** Binary rates plus ranking metrics of a group of judged items. */
export interface GroupMetrics extends BinaryRates, RankingMetrics {}

export function groupMetrics(items: readonly Judged[]): GroupMetrics {
  return { ...ratesOf(confusionOf(items)), ...rankingOf(items) };
}

/** Per-type span counts, accumulated row by row. */
export class SpanTally {
  readonly counts = new Map<string, EntityCounts>();

  /** Adds one row. Both span lists must use the same offsets (the harness uses code points). */
  add(gold: readonly TypedSpan[], predicted: readonly TypedSpan[]): void {
    tallyRowSpans(gold, predicted, (type) => this.countsOf(type));
  }

  countsOf(type: string): EntityCounts {
    let c = this.counts.get(type);
    if (!c) this.counts.set(type, (c = { gold: 0, predicted: 0, exactTp: 0, overlapTpPred: 0, overlapTpGold: 0 }));
    return c;
  }

  /** Scores of one type (all zero counts when the type was never seen). */
  scoresOf(type: string): EntityScores {
    return entityScores(this.counts.get(type) ?? { gold: 0, predicted: 0, exactTp: 0, overlapTpPred: 0, overlapTpGold: 0 });
  }

  /** Counts summed over `types` (micro average), scored. */
  micro(types: readonly string[]): { counts: EntityCounts; scores: EntityScores } {
    const sum: EntityCounts = { gold: 0, predicted: 0, exactTp: 0, overlapTpPred: 0, overlapTpGold: 0 };
    for (const t of types) {
      const c = this.counts.get(t);
      if (!c) continue;
      sum.gold += c.gold;
      sum.predicted += c.predicted;
      sum.exactTp += c.exactTp;
      sum.overlapTpPred += c.overlapTpPred;
      sum.overlapTpGold += c.overlapTpGold;
    }
    return { counts: sum, scores: entityScores(sum) };
  }
}

/** True when two half-open spans share at least one position. */
export function spansOverlap(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}
