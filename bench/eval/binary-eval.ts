/**
 * Yes/no evaluation of a detector over labelled rows: metrics overall and per group (source,
 * surface, split), plus the worst misses and false alarms as row numbers and lengths only.
 * Used for Bulwark and for every peer guard, so all of them are scored by the same code.
 */
import { groupMetrics, type GroupMetrics, type Judged } from './metrics.js';

/** A judged row with what the reports may show about it (never its text). */
export interface JudgedRow extends Judged {
  line: number;
  id?: string;
  source: string;
  /** Length of the text in UTF-16 units. */
  length: number;
}

export interface GroupReport {
  group: string;
  metrics: GroupMetrics;
}

/** A row a report points at: ids and sizes only. */
export interface WorstCase {
  line: number;
  id?: string;
  source: string;
  length: number;
  score: number;
}

export interface WorstCases {
  /** Attacks scored lowest (the detector was most sure they were fine). */
  falseNegatives: WorstCase[];
  /** Benign rows scored highest among those flagged. */
  falsePositives: WorstCase[];
}

/** Metrics per value of `key`, groups sorted by name. */
export function metricsBy<R extends JudgedRow>(rows: readonly R[], key: (row: R) => string): GroupReport[] {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const k = key(row);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(row);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => ({ group, metrics: groupMetrics(list) }));
}

function caseOf(row: JudgedRow): WorstCase {
  const c: WorstCase = { line: row.line, source: row.source, length: row.length, score: row.score };
  if (row.id !== undefined) c.id = row.id;
  return c;
}

/**
 * Deterministic: misses by ascending score, false alarms by descending score; ties go to the
 * longer text (the bigger blind spot), then to the earlier line.
 */
export function worstCases(rows: readonly JudgedRow[], limit = 10): WorstCases {
  const byLengthThenLine = (a: JudgedRow, b: JudgedRow): number => b.length - a.length || a.line - b.line;
  const falseNegatives = rows
    .filter((r) => r.label === 1 && !r.detected)
    .sort((a, b) => a.score - b.score || byLengthThenLine(a, b))
    .slice(0, limit)
    .map(caseOf);
  const falsePositives = rows
    .filter((r) => r.label === 0 && r.detected)
    .sort((a, b) => b.score - a.score || byLengthThenLine(a, b))
    .slice(0, limit)
    .map(caseOf);
  return { falseNegatives, falsePositives };
}

/** Overall, per source, worst cases: the report of one binary task on one set of rows. */
export interface BinaryTaskReport {
  rows: number;
  overall: GroupMetrics;
  bySource: GroupReport[];
  worst: WorstCases;
}

export function binaryTaskReport(rows: readonly JudgedRow[], worstLimit = 10): BinaryTaskReport {
  return { rows: rows.length, overall: groupMetrics(rows), bySource: metricsBy(rows, (r) => r.source), worst: worstCases(rows, worstLimit) };
}
