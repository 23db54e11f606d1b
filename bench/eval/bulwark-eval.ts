/**
 * Bulwark's side of the evaluation: scans every row of every present data file once (through
 * an {@link EvalScanner}), judges the results per task (task-judges.ts) and builds the reports.
 * The judged rows are returned too, so the peer comparison scores Bulwark on exactly the rows
 * and with exactly the code it uses for the other guards.
 */
import { PII_ENTITY_TYPES } from '../../src/detectors/pii-recognizers.js';
import { resolvePolicy } from '../../src/engine/resolve-policy.js';
import type { PolicySet } from '../../src/policy/types.js';
import { summarize, type LatencySummary } from '../latency-stats.js';
import { binaryTaskReport, type BinaryTaskReport, type GroupReport, type JudgedRow } from './binary-eval.js';
import type { EvalScanner, ScanOutcome } from './bulwark-scan.js';
import type { BinaryRow, EvalData, InjectionRow, InjectionSurface, PiiRow, SecretRow } from './datasets.js';
import { groupMetrics, SpanTally, type EntityCounts, type EntityScores, type TypedSpan } from './metrics.js';
import { judgeInjection, judgeSecret, judgeToxicity, predictedPiiSpans, type Decision } from './task-judges.js';

export interface InjectionScopeReport extends BinaryTaskReport {
  /** "all rows" or "test split" (the classifier's held-out rows). */
  scope: string;
  bySurface: GroupReport[];
}

export interface InjectionJudgedRow extends JudgedRow {
  surface: InjectionSurface;
  split: string;
  ruleHeldOut: boolean;
}

export type PiiTypeStatus = 'detected by default' | 'supported, off in this policy' | 'no recognizer';

export interface PiiTypeReport {
  type: string;
  status: PiiTypeStatus;
  counts: EntityCounts;
  scores: EntityScores;
}

export interface PiiReport {
  rows: number;
  types: PiiTypeReport[];
  /** Micro average over the gold types the policy detects. */
  detectedTypes: { types: string[]; counts: EntityCounts; scores: EntityScores };
  /** Micro average over every gold type (gaps count as misses). */
  allTypes: { counts: EntityCounts; scores: EntityScores };
}

/** Per-row predictions a comparison needs. */
export interface JudgedData {
  injection?: InjectionJudgedRow[];
  secrets?: JudgedRow[];
  toxicity?: Array<JudgedRow & { split: string }>;
  /** Predicted PII spans per row (code points), in row order. */
  piiPredictions?: TypedSpan[][];
}

export interface BulwarkResults {
  injection?: InjectionScopeReport[];
  pii?: PiiReport;
  secrets?: BinaryTaskReport;
  toxicity?: Array<BinaryTaskReport & { scope: string }>;
  /** Engine time per scan (ScanResult.latencyMs), per data file. */
  scanLatency: Record<string, LatencySummary>;
  /** Rows whose scan failed (pool/engine error) or ended in SCANNER_ERROR; should be 0. */
  scanErrors: Record<string, { errors: number; scannerErrors: number }>;
  judged: JudgedData;
}

function judged<R extends BinaryRow>(row: R, decision: Decision): JudgedRow {
  const j: JudgedRow = { label: row.label, detected: decision.detected, score: decision.score, line: row.line, source: row.source, length: row.text.length };
  if (row.id !== undefined) j.id = row.id;
  return j;
}

/** Surface groups in a fixed, meaningful order. */
const SURFACES: readonly InjectionSurface[] = ['direct', 'indirect', 'system-prompt'];

export function injectionScopes(rows: readonly InjectionJudgedRow[]): InjectionScopeReport[] {
  const scope = (name: string, selected: readonly InjectionJudgedRow[]): InjectionScopeReport => ({
    scope: name,
    ...binaryTaskReport(selected),
    bySurface: SURFACES.map((s) => ({ group: s, metrics: groupMetrics(selected.filter((r) => r.surface === s)) })),
  });
  return [
    scope('all rows', rows),
    scope('test split (the classifiers never saw these rows)', rows.filter((r) => r.split === 'test')),
    scope('rule held-out fifth (the injection rules were never tuned on these rows)', rows.filter((r) => r.ruleHeldOut)),
  ];
}

function evaluateInjection(rows: readonly InjectionRow[], outcomes: readonly ScanOutcome[]): InjectionJudgedRow[] {
  return rows.map((row, i) => ({ ...judged(row, judgeInjection(outcomes[i]!)), surface: row.surface, split: row.split, ruleHeldOut: row.ruleHeldOut }));
}

/** Which gold types the policy detects, which Bulwark supports but the policy leaves off, and gaps. */
export function piiTypeStatus(policySet: PolicySet): (type: string) => PiiTypeStatus {
  const policy = resolvePolicy(policySet, '', '');
  const supported = new Set<string>(PII_ENTITY_TYPES);
  const configured = policy.detectors.pii.entities;
  const enabled = policy.detectors.pii.enabled ? new Set<string>(configured.length === 0 ? PII_ENTITY_TYPES : configured) : new Set<string>();
  return (type) => (enabled.has(type) ? 'detected by default' : supported.has(type) ? 'supported, off in this policy' : 'no recognizer');
}

/** Span scores per gold type (and per predicted type never in the gold data). */
export function piiReport(rows: readonly PiiRow[], predictions: readonly TypedSpan[][], statusOf: (type: string) => PiiTypeStatus): PiiReport {
  const tally = new SpanTally();
  rows.forEach((row, i) => tally.add(row.spans, predictions[i] ?? []));
  const goldTypes = [...tally.counts.entries()].filter(([, c]) => c.gold > 0).map(([t]) => t);
  const types = [...tally.counts.keys()]
    .sort((a, b) => (tally.counts.get(b)!.gold - tally.counts.get(a)!.gold) || a.localeCompare(b))
    .map((type) => ({ type, status: statusOf(type), counts: tally.counts.get(type)!, scores: tally.scoresOf(type) }));
  const detected = goldTypes.filter((t) => statusOf(t) === 'detected by default');
  return {
    rows: rows.length,
    types,
    detectedTypes: { types: detected, ...tally.micro(detected) },
    allTypes: tally.micro(goldTypes),
  };
}

function errorCounts(outcomes: readonly ScanOutcome[]): { errors: number; scannerErrors: number } {
  return {
    errors: outcomes.filter((o) => o.error !== undefined).length,
    scannerErrors: outcomes.filter((o) => o.threats.some((t) => t.type === 'SCANNER_ERROR')).length,
  };
}

/** Scans and evaluates every dataset present in `data`. */
export async function evaluateBulwark(data: EvalData, scanner: EvalScanner, policySet: PolicySet): Promise<BulwarkResults> {
  const results: BulwarkResults = { scanLatency: {}, scanErrors: {}, judged: {} };
  const scan = async (name: string, texts: readonly string[]): Promise<ScanOutcome[]> => {
    const startedAt = performance.now();
    const outcomes = await scanner.scanAll(texts);
    results.scanLatency[name] = summarize(outcomes.map((o) => o.latencyMs), 0, performance.now() - startedAt);
    results.scanErrors[name] = errorCounts(outcomes);
    return outcomes;
  };

  if (data.injection) {
    const outcomes = await scan('injection', data.injection.map((r) => r.text));
    const rows = evaluateInjection(data.injection, outcomes);
    results.judged.injection = rows;
    results.injection = injectionScopes(rows);
  }
  if (data.pii) {
    const outcomes = await scan('pii', data.pii.map((r) => r.text));
    const predictions = outcomes.map(predictedPiiSpans);
    results.judged.piiPredictions = predictions;
    results.pii = piiReport(data.pii, predictions, piiTypeStatus(policySet));
  }
  if (data.secrets) {
    const outcomes = await scan('secrets', data.secrets.map((r) => r.text));
    const rows = data.secrets.map((row: SecretRow, i) => judged(row, judgeSecret(row.label, row.spans, outcomes[i]!)));
    results.judged.secrets = rows;
    results.secrets = binaryTaskReport(rows);
  }
  if (data.toxicity) {
    const outcomes = await scan('toxicity', data.toxicity.map((r) => r.text));
    const rows = data.toxicity.map((row, i) => ({ ...judged(row, judgeToxicity(outcomes[i]!)), split: row.split }));
    results.judged.toxicity = rows;
    results.toxicity = [
      { scope: 'all rows', ...binaryTaskReport(rows) },
      { scope: 'test split', ...binaryTaskReport(rows.filter((r) => r.split === 'test')) },
    ];
  }
  return results;
}
