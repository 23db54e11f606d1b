/**
 * Reading the labelled JSONL files of ../shared/data (or `--data DIR`) for the evaluation
 * harness: one typed row per non-blank line, with its 1-based line number (the id the reports
 * use; reports never print text), the ML engineer's stable-hash split, and for injection rows
 * the kind of attack surface (direct prompt, document-embedded, system-prompt-relative).
 *
 * The split function is the training pipeline's own (bench/train/labelled-dataset.ts), so "test
 * split" here means exactly the rows the shipped classifier never saw.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitOf, type Split } from '../train/labelled-dataset.js';
import type { TypedSpan } from './metrics.js';

export { splitOf, type Split };

export const DATA_FILES = {
  injection: 'injection.jsonl',
  pii: 'pii.jsonl',
  secrets: 'secrets.jsonl',
  toxicity: 'toxicity.jsonl',
} as const;

export type DatasetName = keyof typeof DATA_FILES;

/** Where an injection row's text would sit in an application. */
export type InjectionSurface = 'direct' | 'indirect' | 'system-prompt';

interface RowBase {
  /** 1-based line number in the file: the row's id in every report. */
  line: number;
  /** The row's own id when the file gives one. */
  id?: string;
  text: string;
  source: string;
  subset: string;
  meta: Record<string, unknown>;
}

/** A row with a binary label (injection, secrets, toxicity). */
export interface BinaryRow extends RowBase {
  label: 0 | 1;
  split: Split;
}

export interface InjectionRow extends BinaryRow {
  surface: InjectionSurface;
  /** In the fifth of the rows the injection-rule authors never looked at (see ruleHeldOut). */
  ruleHeldOut: boolean;
}

/**
 * The injection rules' own held-out part (bench/eval-patterns.ts): rows whose text's SHA-256
 * starts with a byte divisible by 5. Rule authors tuned on the other four fifths only.
 */
export function ruleHeldOut(text: string): boolean {
  return createHash('sha256').update(text).digest()[0]! % 5 === 0;
}

export interface SecretRow extends BinaryRow {
  /** The dataset's rule name (noseyparker / CredSweeper). */
  rule: string;
  /** Labelled value spans (code points), when the source gives them. */
  spans: TypedSpan[];
}

export interface PiiRow extends RowBase {
  /** Gold spans in Unicode code points, with the type vocabulary mapped (see PII_TYPE_MAP). */
  spans: TypedSpan[];
}

/**
 * pii.jsonl mixes two vocabularies (data README): the second one's names are mapped to the
 * first one's, and DOMAIN_NAME spans (URLs in this data) to Bulwark's URL, as the PII eval does.
 * NRP (nationality, religious or political group) has no counterpart and keeps its name.
 */
export const PII_TYPE_MAP: Readonly<Record<string, string>> = {
  STREET_ADDRESS: 'ADDRESS',
  GPE: 'LOCATION',
  TITLE: 'PREFIX',
  DOMAIN_NAME: 'URL',
};

export function mapPiiType(type: string): string {
  return PII_TYPE_MAP[type] ?? type;
}

/** Parsed JSON objects of a JSONL file with their line numbers; blank lines skipped. */
export function readJsonl(path: string): Array<{ line: number; record: Record<string, unknown> }> {
  const out: Array<{ line: number; record: Record<string, unknown> }> = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new Error(`${path}:${i + 1}: not valid JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error(`${path}:${i + 1}: not a JSON object`);
    out.push({ line: i + 1, record: record as Record<string, unknown> });
  }
  return out;
}

function baseOf(line: number, r: Record<string, unknown>, path: string): RowBase {
  if (typeof r.text !== 'string') throw new Error(`${path}:${line}: "text" is missing or not a string`);
  const base: RowBase = {
    line,
    text: r.text,
    source: typeof r.source === 'string' ? r.source : '',
    subset: typeof r.subset === 'string' ? r.subset : '',
    meta: r.meta !== null && typeof r.meta === 'object' ? (r.meta as Record<string, unknown>) : {},
  };
  if (typeof r.id === 'string' || typeof r.id === 'number') base.id = String(r.id);
  return base;
}

function labelOf(line: number, r: Record<string, unknown>, path: string): 0 | 1 {
  if (r.label !== 0 && r.label !== 1) throw new Error(`${path}:${line}: "label" must be 0 or 1`);
  return r.label;
}

function spansOf(value: unknown): TypedSpan[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((s): s is { start: number; end: number; type?: unknown } => typeof s?.start === 'number' && typeof s?.end === 'number')
    .map((s) => ({ start: s.start, end: s.end, type: mapPiiType(typeof s.type === 'string' ? s.type : '') }));
}

export function readBinaryRows(path: string): BinaryRow[] {
  return readJsonl(path).map(({ line, record }) => {
    const base = baseOf(line, record, path);
    return { ...base, label: labelOf(line, record, path), split: splitOf(base.text) };
  });
}

/**
 * BIPIA documents (clean and with an attack planted, `meta.constructed`) are the indirect
 * surface; rows labelled relative to a system prompt (`meta.system_prompt`, CyberSecEval) are
 * their own group because the scanned text alone may look harmless; the rest are direct prompts.
 */
export function surfaceOf(row: Pick<RowBase, 'subset' | 'meta'>): InjectionSurface {
  if (row.meta.system_prompt !== undefined) return 'system-prompt';
  if (row.meta.constructed === true || row.subset.startsWith('context_')) return 'indirect';
  return 'direct';
}

export function readInjectionRows(path: string): InjectionRow[] {
  return readBinaryRows(path).map((row) => ({ ...row, surface: surfaceOf(row), ruleHeldOut: ruleHeldOut(row.text) }));
}

export function readSecretRows(path: string): SecretRow[] {
  return readJsonl(path).map(({ line, record }) => {
    const base = baseOf(line, record, path);
    return {
      ...base,
      label: labelOf(line, record, path),
      split: splitOf(base.text),
      rule: typeof record.rule === 'string' ? record.rule : '',
      spans: spansOf(record.spans),
    };
  });
}

export function readPiiRows(path: string): PiiRow[] {
  return readJsonl(path).map(({ line, record }) => ({ ...baseOf(line, record, path), spans: spansOf(record.spans) }));
}

/** The data files present in `dir`, by dataset name. */
export function locateData(dir: string): Partial<Record<DatasetName, string>> {
  const found: Partial<Record<DatasetName, string>> = {};
  for (const [name, file] of Object.entries(DATA_FILES) as Array<[DatasetName, string]>) {
    const path = join(dir, file);
    if (existsSync(path)) found[name] = path;
  }
  return found;
}

/** All rows of every present file. */
export interface EvalData {
  dir: string;
  injection?: InjectionRow[];
  pii?: PiiRow[];
  secrets?: SecretRow[];
  toxicity?: BinaryRow[];
}

/** Every present file, or only the named data sets. */
export function loadEvalData(dir: string, only?: readonly DatasetName[]): EvalData {
  const paths = locateData(dir);
  if (only !== undefined) for (const name of Object.keys(paths) as DatasetName[]) if (!only.includes(name)) delete paths[name];
  const data: EvalData = { dir };
  if (paths.injection) data.injection = readInjectionRows(paths.injection);
  if (paths.pii) data.pii = readPiiRows(paths.pii);
  if (paths.secrets) data.secrets = readSecretRows(paths.secrets);
  if (paths.toxicity) data.toxicity = readBinaryRows(paths.toxicity);
  return data;
}
