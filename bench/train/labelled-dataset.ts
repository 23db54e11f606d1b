/**
 * Reads the labelled JSONL files of ../shared/data and splits them deterministically by a
 * stable hash of the text (never by row order), so a text lands in the same split on every
 * run and on every machine, and duplicates across sources share a split.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashRange } from '../../src/detectors/ml/feature-hash.js';

export type Split = 'train' | 'validation' | 'test';

export interface LabelledRow {
  text: string;
  label: 0 | 1;
  source: string;
  subset: string;
  meta: Record<string, unknown>;
  split: Split;
}

const SPLIT_SEED = 0x0b1a5ed5;

/** 70 / 15 / 15 by the text's hash. */
export function splitOf(text: string): Split {
  const bucket = hashRange(text, 0, text.length, SPLIT_SEED) % 100;
  return bucket < 70 ? 'train' : bucket < 85 ? 'validation' : 'test';
}

/** `BULWARK_DATA_DIR`, else ../shared/data next to the repository. */
export function dataDirectory(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return process.env.BULWARK_DATA_DIR ?? resolve(repoRoot, '../shared/data');
}

export function readLabelledJsonl(path: string): LabelledRow[] {
  if (!existsSync(path)) throw new Error(`data file not found: ${path} (set BULWARK_DATA_DIR)`);
  const rows: LabelledRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { text: string; label: number; source: string; subset?: string; meta?: Record<string, unknown> };
    rows.push({
      text: r.text,
      label: r.label === 1 ? 1 : 0,
      source: r.source,
      subset: r.subset ?? '',
      meta: r.meta ?? {},
      split: splitOf(r.text),
    });
  }
  return rows;
}
