/** Metrics for a binary scorer: recall / FPR per source, thresholds, Platt calibration. */

export interface Scored {
  score: number;
  label: 0 | 1;
  source: string;
}

export interface SourceMetrics {
  source: string;
  label: 0 | 1;
  rows: number;
  /** Recall for attack sources, false-positive rate for benign ones (at the threshold). */
  rate: number;
  flagged: number;
}

/** Smallest threshold (from the candidate scores) whose benign FPR on `rows` is ≤ `maxFpr`. */
export function thresholdForFpr(rows: Scored[], maxFpr: number): number {
  const benign = rows.filter((r) => r.label === 0).map((r) => r.score).sort((a, b) => b - a);
  const allowed = Math.floor(maxFpr * benign.length);
  // Flag scores strictly above the (allowed+1)-th highest benign score.
  const boundary = benign[allowed] ?? 0;
  return Math.min(0.999999, nextUp(boundary));
}

function nextUp(x: number): number {
  return x + Math.max(1e-7, Math.abs(x) * 1e-7);
}

export function rates(rows: Scored[], threshold: number): { recall: number; fpr: number; attacks: number; benign: number } {
  let tp = 0;
  let pos = 0;
  let fp = 0;
  let neg = 0;
  for (const r of rows) {
    const flagged = r.score >= threshold;
    if (r.label === 1) {
      pos++;
      if (flagged) tp++;
    } else {
      neg++;
      if (flagged) fp++;
    }
  }
  return { recall: pos === 0 ? NaN : tp / pos, fpr: neg === 0 ? NaN : fp / neg, attacks: pos, benign: neg };
}

export function perSource(rows: Scored[], threshold: number, key: (r: Scored) => string = (r) => r.source): SourceMetrics[] {
  const groups = new Map<string, Scored[]>();
  for (const r of rows) {
    const k = `${key(r)}\u0000${r.label}`;
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  return [...groups.entries()]
    .map(([k, list]) => {
      const flagged = list.filter((r) => r.score >= threshold).length;
      return { source: k.split('\u0000')[0]!, label: list[0]!.label, rows: list.length, flagged, rate: flagged / list.length };
    })
    .sort((a, b) => b.label - a.label || a.source.localeCompare(b.source));
}

/** Area under the ROC curve (ties counted half). */
export function rocAuc(rows: Scored[]): number {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  let pos = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.label === 1) { rankSum += rank; pos++; }
    i = j;
  }
  const neg = sorted.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Platt scaling: A, B minimising the log loss of sigmoid(A·z + B) against the labels, by
 * Newton's method on the two parameters with step halving (so large, saturated logits cannot
 * make it diverge), and Platt's smoothed targets against over-confidence.
 */
export function fitPlatt(logits: number[], labels: number[]): { a: number; b: number } {
  const pos = labels.filter((y) => y === 1).length;
  const neg = labels.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const t = labels.map((y) => (y === 1 ? hi : lo));
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const m = a * logits[i]! + b;
      // t·log(1+e^-m) + (1-t)·log(1+e^m), stably
      const softplusNeg = m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
      sum += t[i]! * softplusNeg + (1 - t[i]!) * (softplusNeg + m);
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let g1 = 0, g2 = 0, h11 = 1e-9, h12 = 0, h22 = 1e-9;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!;
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const d = p - t[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      g1 += d * z;
      g2 += d;
      h11 += w * z * z;
      h12 += w * z;
      h22 += w;
    }
    const det = h11 * h22 - h12 * h12;
    const da = (h22 * g1 - h12 * g2) / det;
    const db = (h11 * g2 - h12 * g1) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next <= current) && step > 1e-8) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next <= current)) break;
    a -= step * da;
    b -= step * db;
    const improvement = current - next;
    current = next;
    if (improvement < 1e-12 * Math.max(1, current)) break;
  }
  return { a, b };
}

/** Expected calibration error over `bins` equal-width bins. */
export function expectedCalibrationError(rows: Scored[], bins = 10): number {
  let total = 0;
  for (let k = 0; k < bins; k++) {
    const inBin = rows.filter((r) => r.score >= k / bins && (r.score < (k + 1) / bins || (k === bins - 1 && r.score <= 1)));
    if (inBin.length === 0) continue;
    const meanScore = inBin.reduce((s, r) => s + r.score, 0) / inBin.length;
    const meanLabel = inBin.reduce((s, r) => s + r.label, 0) / inBin.length;
    total += (inBin.length / rows.length) * Math.abs(meanScore - meanLabel);
  }
  return total;
}
