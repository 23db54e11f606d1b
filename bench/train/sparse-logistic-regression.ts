/**
 * Weighted, L2-regularised logistic regression over sparse rows, fitted with full-batch L-BFGS.
 * Full-batch and no random initialisation: the same data gives bit-identical weights on every
 * run (no seeds to manage), and the problem is convex so L-BFGS converges to the optimum.
 */

/** Rows in compressed-sparse-row form. */
export interface SparseRows {
  rowStart: Int32Array; // length n + 1
  cols: Int32Array;
  vals: Float32Array;
  dimension: number;
}

export interface FitOptions {
  /** L2 strength on the weights (not on the bias). */
  l2: number;
  maxIterations: number;
  /** Stop when the gradient's infinity norm falls below this. */
  tolerance: number;
  /** L-BFGS memory. */
  history: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { l2: 1e-4, maxIterations: 200, tolerance: 1e-5, history: 8 };

export interface FittedLinear {
  weights: Float64Array;
  bias: number;
  iterations: number;
  loss: number;
}

/** z_i = w·x_i + b for every row. */
export function rowLogits(rows: SparseRows, weights: Float64Array, bias: number, out: Float64Array): Float64Array {
  const { rowStart, cols, vals } = rows;
  for (let i = 0; i + 1 < rowStart.length; i++) {
    let z = bias;
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) z += weights[cols[j]!]! * vals[j]!;
    out[i] = z;
  }
  return out;
}

function logLoss(y: number, z: number): number {
  // log(1 + e^-z) for y=1, log(1 + e^z) for y=0, computed stably.
  const m = y === 1 ? -z : z;
  return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits weights minimising Σ s_i·logloss(y_i, w·x_i + b) / Σ s_i + l2/2·|w|².
 * `labels` are 0/1, `sampleWeights` ≥ 0.
 */
export function fitLogisticRegression(
  rows: SparseRows,
  labels: Float64Array,
  sampleWeights: Float64Array,
  options: FitOptions = DEFAULT_FIT_OPTIONS,
  /** Warm start (e.g. the previous multiple-instance round); zeros otherwise. */
  initial?: { weights: Float64Array; bias: number },
): FittedLinear {
  const n = labels.length;
  const d = rows.dimension;
  const size = d + 1; // last coordinate is the bias
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += sampleWeights[i]!;
  const z = new Float64Array(n);

  const evaluate = (x: Float64Array, grad: Float64Array): number => {
    const weights = x.subarray(0, d);
    rowLogits(rows, weights, x[d]!, z);
    grad.fill(0);
    let loss = 0;
    let biasGrad = 0;
    const { rowStart, cols, vals } = rows;
    for (let i = 0; i < n; i++) {
      const s = sampleWeights[i]! / totalWeight;
      if (s === 0) continue;
      loss += s * logLoss(labels[i]!, z[i]!);
      const r = s * (sigmoid(z[i]!) - labels[i]!);
      biasGrad += r;
      for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) grad[cols[j]!]! += r * vals[j]!;
    }
    let reg = 0;
    for (let k = 0; k < d; k++) {
      reg += x[k]! * x[k]!;
      grad[k]! += options.l2 * x[k]!;
    }
    grad[d] = biasGrad;
    return loss + 0.5 * options.l2 * reg;
  };

  const x = new Float64Array(size);
  if (initial !== undefined) {
    x.set(initial.weights);
    x[d] = initial.bias;
  }
  const g = new Float64Array(size);
  let f = evaluate(x, g);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(options.history);
  const xNew = new Float64Array(size);
  const gNew = new Float64Array(size);
  let iteration = 0;

  for (; iteration < options.maxIterations; iteration++) {
    let gMax = 0;
    for (let k = 0; k < size; k++) gMax = Math.max(gMax, Math.abs(g[k]!));
    if (gMax < options.tolerance) break;

    // Two-loop recursion: direction = -H·g.
    direction.set(g);
    for (let h = sHist.length - 1; h >= 0; h--) {
      alpha[h] = rhoHist[h]! * dot(sHist[h]!, direction);
      axpy(-alpha[h]!, yHist[h]!, direction);
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let k = 0; k < size; k++) direction[k]! *= gamma;
    }
    for (let h = 0; h < sHist.length; h++) {
      const beta = rhoHist[h]! * dot(yHist[h]!, direction);
      axpy(alpha[h]! - beta, sHist[h]!, direction);
    }
    for (let k = 0; k < size; k++) direction[k] = -direction[k]!;
    let slope = dot(direction, g);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      for (let k = 0; k < size; k++) direction[k] = -g[k]!;
      slope = dot(direction, g);
      sHist.length = yHist.length = rhoHist.length = 0;
    }

    // Backtracking line search (Armijo).
    let step = sHist.length === 0 ? 1 / Math.max(1e-12, Math.sqrt(-slope)) : 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let k = 0; k < size; k++) xNew[k] = x[k]! + step * direction[k]!;
      fNew = evaluate(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break;

    const sVec = new Float64Array(size);
    const yVec = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      sVec[k] = xNew[k]! - x[k]!;
      yVec[k] = gNew[k]! - g[k]!;
    }
    const sy = dot(sVec, yVec);
    if (sy > 1e-12) {
      if (sHist.length === options.history) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(sVec);
      yHist.push(yVec);
      rhoHist.push(1 / sy);
    }
    const relative = (f - fNew) / Math.max(1e-12, Math.abs(f));
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (relative < 1e-9) break;
  }
  return { weights: x.slice(0, d), bias: x[d]!, iterations: iteration, loss: f };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let k = 0; k < x.length; k++) y[k]! += a * x[k]!;
}
