/**
 * Span-level scoring of the PII detector against labelled rows (shared by
 * bench/eval-pii.ts and the dataset regression test). Gold offsets in the data are Unicode
 * code points; they are converted to UTF-16 before comparing with detector spans.
 */
import { readFileSync } from 'node:fs';
import { PII_ENTITY_TYPES } from '../src/detectors/pii-recognizers.js';
import type { AnalyzedText, Detector } from '../src/detectors/types.js';

export interface LabelledRow {
  text: string;
  spans: Array<{ start: number; end: number; type: string }>;
}

export interface EntityCounts {
  gold: number;
  predicted: number;
  /** Predictions with exactly a gold span of the same type. */
  exactTp: number;
  /** Predictions overlapping a gold span of the same type. */
  overlapTpPred: number;
  /** Gold spans overlapped by a prediction of the same type. */
  overlapTpGold: number;
}

export interface EntityScores {
  exact: { precision: number; recall: number; f1: number };
  overlap: { precision: number; recall: number; f1: number };
}

/** The data mixes two vocabularies; its DOMAIN_NAME spans are URLs. */
const GOLD_TYPE_MAP: Readonly<Record<string, string>> = { DOMAIN_NAME: 'URL' };

export function loadRows(path: string): LabelledRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as LabelledRow);
}

function originalOnly(text: string): AnalyzedText {
  return { original: text, views: [{ kind: 'original', text, toOriginal: (start, end) => ({ start, end }) }] };
}

/** Code point offset → UTF-16 offset. */
export function codePointToUtf16(text: string, cp: number): number {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === cp) break;
    units += ch.length;
    seen++;
  }
  return units;
}

/** Counts per entity type. Gold types without a recognizer (PERSON, LOCATION, ...) are ignored. */
export function countSpans(rows: readonly LabelledRow[], detector: Detector, threshold: number): Map<string, EntityCounts> {
  const supported = new Set<string>(PII_ENTITY_TYPES);
  const counts = new Map<string, EntityCounts>();
  const get = (t: string): EntityCounts => {
    let c = counts.get(t);
    if (!c) counts.set(t, (c = { gold: 0, predicted: 0, exactTp: 0, overlapTpPred: 0, overlapTpGold: 0 }));
    return c;
  };
  for (const row of rows) {
    const gold = row.spans
      .map((s) => ({ type: GOLD_TYPE_MAP[s.type] ?? s.type, start: codePointToUtf16(row.text, s.start), end: codePointToUtf16(row.text, s.end) }))
      .filter((s) => supported.has(s.type));
    const predicted = detector
      .detect({ text: originalOnly(row.text), direction: 'INPUT' })
      .filter((f) => f.confidence >= threshold && f.spans.length > 0)
      .map((f) => ({ type: f.entityType ?? '', start: f.spans[0]!.start, end: f.spans[0]!.end }));
    tallyRowSpans(gold, predicted, get);
  }
  return counts;
}

/** A typed span; both sides of a comparison must use the same offset unit. */
export interface TypedSpan {
  type: string;
  start: number;
  end: number;
}

/**
 * Adds one row's gold and predicted spans to the per-type counts (`get` returns the counts of
 * a type, creating them). Shared with the evaluation harness (bench/eval/metrics.ts).
 */
export function tallyRowSpans(gold: readonly TypedSpan[], predicted: readonly TypedSpan[], get: (type: string) => EntityCounts): void {
  for (const g of gold) {
    const c = get(g.type);
    c.gold++;
    if (predicted.some((p) => p.type === g.type && p.start < g.end && g.start < p.end)) c.overlapTpGold++;
  }
  for (const p of predicted) {
    const c = get(p.type);
    c.predicted++;
    if (gold.some((g) => g.type === p.type && g.start === p.start && g.end === p.end)) c.exactTp++;
    if (gold.some((g) => g.type === p.type && p.start < g.end && g.start < p.end)) c.overlapTpPred++;
  }
}

function prf(tpPred: number, predicted: number, tpGold: number, gold: number): { precision: number; recall: number; f1: number } {
  const precision = predicted ? tpPred / predicted : 0;
  const recall = gold ? tpGold / gold : 0;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

export function scores(c: EntityCounts): EntityScores {
  return {
    exact: prf(c.exactTp, c.predicted, c.exactTp, c.gold),
    overlap: prf(c.overlapTpPred, c.predicted, c.overlapTpGold, c.gold),
  };
}
