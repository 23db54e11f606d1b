/**
 * Side by side: every peer guard (bench/eval/peers/) on the same rows as Bulwark, scored by the
 * same code (metrics.ts, binary-eval.ts, task-judges.ts), one row per guard and task.
 *
 * PII is compared on the entity types every compared guard claims (COMMON_PII_TYPES) with
 * overlap matching, micro-averaged: a guard is not charged for types it never claimed.
 * Latency is time per item on one thread: Bulwark's full scan (every detector, from the
 * engine's own clock) against each peer's call for that task alone.
 */
import { summarize } from '../latency-stats.js';
import type { JudgedRow } from './binary-eval.js';
import type { BulwarkResults } from './bulwark-eval.js';
import type { EvalData, PiiRow, SecretRow } from './datasets.js';
import { groupMetrics, SpanTally, type GroupMetrics, type TypedSpan } from './metrics.js';
import { installedVersion, PEERS, PEER_TASKS, type PeerTask } from './peers/peer-adapter.js';
import { runPeer, type PeerRowResult } from './peers/run-peer.js';
import { judgeSecretHits } from './task-judges.js';

/** Types Bulwark, hai-guardrails and llm-guard all claim to find. */
export const COMMON_PII_TYPES: readonly string[] = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'US_SSN', 'CREDIT_CARD', 'IP_ADDRESS'];

export type ComparisonTask = 'injection' | 'injection (test split)' | 'pii' | 'secrets' | 'toxicity' | 'toxicity (test split)';

export interface ComparisonRow {
  guard: string;
  version: string;
  task: ComparisonTask;
  rows: number;
  /** Rows the guard answered (timeouts, errors and rows not reached are left out of the metrics). */
  answered: number;
  /** Binary tasks: rates at the guard's own decision plus ranking metrics; PII: overlap P/R/F1 (micro). */
  metrics: Pick<GroupMetrics, 'recall' | 'fpr' | 'precision' | 'f1' | 'rocAuc' | 'recallAtFpr1'>;
  /** PII only: micro F1 with exact span matching. */
  exactF1?: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PeerSummary {
  guard: string;
  packageName: string;
  version: string;
  tasks: PeerTask[];
  notes: string[];
  networkAttempts: number;
  restarts: number;
  timeouts: number;
  errors: number;
  /** Tasks whose child could not run at all, with the reason. */
  fatal: string[];
}

export interface Comparison {
  rows: ComparisonRow[];
  peers: PeerSummary[];
}

interface Latency {
  p50: number;
  p99: number;
}

function latencyOf(ms: readonly number[]): Latency {
  const s = summarize([...ms], 0, 0);
  return { p50: s.p50, p99: s.p99 };
}

function binaryRow(guard: string, version: string, task: ComparisonTask, judged: readonly JudgedRow[], total: number, latency: Latency): ComparisonRow {
  const m = groupMetrics(judged);
  return {
    guard,
    version,
    task,
    rows: total,
    answered: judged.length,
    metrics: { recall: m.recall, fpr: m.fpr, precision: m.precision, f1: m.f1, rocAuc: m.rocAuc, recallAtFpr1: m.recallAtFpr1 },
    p50Ms: latency.p50,
    p99Ms: latency.p99,
  };
}

/** `predictions[i]` null = row i not answered. */
function piiRow(guard: string, version: string, gold: readonly PiiRow[], predictions: ReadonlyArray<TypedSpan[] | null>, latency: Latency): ComparisonRow {
  const tally = new SpanTally();
  const common = (s: { type: string }): boolean => COMMON_PII_TYPES.includes(s.type);
  let answered = 0;
  gold.forEach((row, i) => {
    const p = predictions[i];
    if (!p) return;
    answered++;
    tally.add(row.spans.filter(common), p.filter(common));
  });
  const { scores } = tally.micro(COMMON_PII_TYPES);
  return {
    guard,
    version,
    task: 'pii',
    rows: gold.length,
    answered,
    metrics: { recall: scores.overlap.recall, fpr: Number.NaN, precision: scores.overlap.precision, f1: scores.overlap.f1, rocAuc: Number.NaN, recallAtFpr1: Number.NaN },
    exactF1: scores.exact.f1,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
  };
}

/** Bulwark's rows, from the judged results of the main evaluation. */
export function bulwarkRows(version: string, data: EvalData, results: BulwarkResults): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const latency = (name: string): Latency => ({ p50: results.scanLatency[name]?.p50 ?? Number.NaN, p99: results.scanLatency[name]?.p99 ?? Number.NaN });
  const j = results.judged;
  if (j.injection) {
    rows.push(binaryRow('bulwark', version, 'injection', j.injection, j.injection.length, latency('injection')));
    const test = j.injection.filter((r) => r.split === 'test');
    rows.push(binaryRow('bulwark', version, 'injection (test split)', test, test.length, latency('injection')));
  }
  if (data.pii && j.piiPredictions) rows.push(piiRow('bulwark', version, data.pii, j.piiPredictions, latency('pii')));
  if (j.secrets) rows.push(binaryRow('bulwark', version, 'secrets', j.secrets, j.secrets.length, latency('secrets')));
  if (j.toxicity) {
    rows.push(binaryRow('bulwark', version, 'toxicity', j.toxicity, j.toxicity.length, latency('toxicity')));
    const test = j.toxicity.filter((r) => r.split === 'test');
    rows.push(binaryRow('bulwark', version, 'toxicity (test split)', test, test.length, latency('toxicity')));
  }
  return rows;
}

/** A peer's answers to a binary task as judged rows, with each row's split; unanswered rows left out. */
export function judgePeerAnswers(
  data: EvalData,
  task: 'injection' | 'secrets' | 'toxicity',
  answers: ReadonlyArray<PeerRowResult | null>,
): Array<JudgedRow & { split: string }> {
  const out: Array<JudgedRow & { split: string }> = [];
  (data[task] ?? []).forEach((row, i) => {
    const a = answers[i];
    if (!a) return;
    const decision =
      task === 'secrets'
        ? judgeSecretHits(row.label, (row as SecretRow).spans, a.detected ? [{ confidence: a.score, spans: a.spans ?? [] }] : [])
        : { detected: a.detected, score: a.score };
    out.push({ label: row.label, detected: decision.detected, score: decision.score, line: row.line, source: row.source, length: row.text.length, split: row.split });
  });
  return out;
}

export interface PeerOptions {
  dataDir: string;
  /** Peer names to run (default all). */
  peers?: readonly string[];
  stallMs?: number;
  totalMs?: number;
  /** Progress lines (names and counts only). */
  log?: (line: string) => void;
}

/** Runs every peer on every task it offers that has data, and scores it. */
export async function comparePeers(data: EvalData, options: PeerOptions): Promise<Comparison> {
  const comparison: Comparison = { rows: [], peers: [] };
  for (const name of options.peers ?? Object.keys(PEERS)) {
    const entry = PEERS[name];
    if (!entry) throw new Error(`unknown peer "${name}" (known: ${Object.keys(PEERS).join(', ')})`);
    const version = installedVersion(entry.packageName);
    const summary: PeerSummary = { guard: name, packageName: entry.packageName, version, tasks: [], notes: [], networkAttempts: 0, restarts: 0, timeouts: 0, errors: 0, fatal: [] };
    comparison.peers.push(summary);
    for (const task of PEER_TASKS) {
      const rows = data[task];
      if (!entry.tasks.includes(task) || !rows) continue;
      options.log?.(`peer ${name}: ${task} (${rows.length} rows)`);
      const run = await runPeer({ peer: name, task, dataDir: options.dataDir, rows: rows.length, stallMs: options.stallMs, totalMs: options.totalMs });
      summary.tasks.push(task);
      if (run.notes.length > 0) summary.notes = run.notes;
      summary.networkAttempts += run.networkAttempts;
      summary.restarts += run.restarts;
      summary.timeouts += run.outcomes.filter((o) => 'failure' in o && o.failure === 'timeout').length;
      summary.errors += run.outcomes.filter((o) => 'failure' in o && o.failure === 'error').length;
      if (run.fatal) {
        summary.fatal.push(`${task}: ${run.fatal}`);
        continue;
      }
      const answers = run.outcomes.map((o) => ('failure' in o ? null : o));
      const latency = latencyOf(answers.flatMap((a) => (a ? [a.ms] : [])));
      if (task === 'pii') {
        comparison.rows.push(piiRow(name, version, data.pii!, answers.map((a) => (a ? (a.spans ?? []) : null)), latency));
        continue;
      }
      const judged = judgePeerAnswers(data, task, answers);
      comparison.rows.push(binaryRow(name, version, task, judged, rows.length, latency));
      // The trained classifiers' held-out rows, where Bulwark's numbers are honest.
      if (task === 'injection' || task === 'toxicity') {
        const all = data[task]!;
        const total = all.filter((r) => r.split === 'test').length;
        const testMs = answers.flatMap((a, i) => (a && all[i]!.split === 'test' ? [a.ms] : []));
        comparison.rows.push(binaryRow(name, version, `${task} (test split)`, judged.filter((r) => r.split === 'test'), total, latencyOf(testMs)));
      }
    }
  }
  return comparison;
}
