/**
 * Measures the PII detector: span-level precision / recall / F1 per entity type on a
 * labelled JSONL file (default ../shared/data/pii.jsonl, Presidio-research synthetic data),
 * and time per scan over 1 KB of text. Prints numbers only; never prints scanned text.
 *
 *   npx tsx bench/eval-pii.ts [path/to/pii.jsonl] [--threshold 0.5] [--regions US,GB] [--perf]
 *
 * Gold offsets are Unicode code points; they are converted to UTF-16 before comparing.
 * The data mixes two type vocabularies; DOMAIN_NAME (URLs in this data) is scored as URL.
 * Gold types Bulwark has no recognizer for (PERSON, LOCATION, ...) are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPiiDetector, PII_ENTITY_TYPES } from '../src/detectors/pii-recognizers.js';
import type { AnalyzedText, Detector } from '../src/detectors/types.js';
import type { CompiledPolicy } from '../src/policy/types.js';

interface Row {
  text: string;
  spans: Array<{ start: number; end: number; type: string }>;
}
interface Span {
  start: number;
  end: number;
  type: string;
}

const GOLD_TYPE_MAP: Readonly<Record<string, string>> = { DOMAIN_NAME: 'URL' };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function policyFor(regions: string[]): CompiledPolicy {
  const rule = { minConfidence: 0.5, action: { INPUT: 'REDACT', OUTPUT: 'REDACT' } } as const;
  return {
    id: 'eval',
    tenant: 'eval',
    version: '1',
    detectors: {
      injection: { enabled: false },
      pii: { enabled: true, entities: [], phoneRegions: regions },
      secrets: { enabled: false },
      toxicity: { enabled: false },
    },
    threats: {
      PROMPT_INJECTION: rule, JAILBREAK: rule, PII: rule, SECRET: rule, DATA_EXFILTRATION: rule, SYSTEM_PROMPT_LEAK: rule,
      TOXICITY: rule, CUSTOM_RULE: rule, UNSAFE_CODE: rule, MALICIOUS_URL: rule,
    },
    operators: {},
    customRules: [],
    allowPatterns: [],
    failMode: 'closed',
    timeBudgetMs: 50,
    hashSalt: '',
    encryptionKey: '',
  };
}

function originalOnly(text: string): AnalyzedText {
  return { original: text, views: [{ kind: 'original', text, toOriginal: (start, end) => ({ start, end }) }] };
}

/** Code point offset → UTF-16 offset. */
function cpToUtf16(text: string, cp: number): number {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === cp) break;
    units += ch.length;
    seen++;
  }
  return units;
}

interface Counts {
  gold: number;
  predicted: number;
  exactTp: number;
  overlapTpPred: number;
  overlapTpGold: number;
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function evaluate(rows: Row[], detector: Detector, threshold: number): Map<string, Counts> {
  const supported = new Set<string>(PII_ENTITY_TYPES);
  const counts = new Map<string, Counts>();
  const get = (t: string): Counts => {
    let c = counts.get(t);
    if (!c) counts.set(t, (c = { gold: 0, predicted: 0, exactTp: 0, overlapTpPred: 0, overlapTpGold: 0 }));
    return c;
  };
  for (const row of rows) {
    const gold: Span[] = row.spans
      .map((s) => ({ type: GOLD_TYPE_MAP[s.type] ?? s.type, start: cpToUtf16(row.text, s.start), end: cpToUtf16(row.text, s.end) }))
      .filter((s) => supported.has(s.type));
    const predicted: Span[] = detector
      .detect({ text: originalOnly(row.text), direction: 'INPUT' })
      .filter((f) => f.confidence >= threshold)
      .map((f) => ({ type: f.entityType as string, start: f.spans[0]!.start, end: f.spans[0]!.end }));
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
  return counts;
}

function report(counts: Map<string, Counts>, threshold: number): void {
  console.log(`\nthreshold ${threshold}`);
  console.log('entity               gold  pred | exact P   R     F1  | overlap P   R     F1');
  const fmt = (n: number): string => n.toFixed(3);
  for (const [type, c] of [...counts.entries()].sort()) {
    const ep = c.predicted ? c.exactTp / c.predicted : 0;
    const er = c.gold ? c.exactTp / c.gold : 0;
    const op = c.predicted ? c.overlapTpPred / c.predicted : 0;
    const or = c.gold ? c.overlapTpGold / c.gold : 0;
    console.log(
      `${type.padEnd(20)} ${String(c.gold).padStart(5)} ${String(c.predicted).padStart(5)} | ${fmt(ep)} ${fmt(er)} ${fmt(f1(ep, er))} | ${fmt(op)} ${fmt(or)} ${fmt(f1(op, or))}`,
    );
  }
}

function perf(detector: Detector, rows: Row[]): void {
  // 1 KB samples cut from the data (realistic mix of PII and prose) and one of plain prose.
  const joined = rows.map((r) => r.text).join('\n');
  const samples: string[] = [];
  for (let i = 0; i + 1024 <= joined.length && samples.length < 200; i += 1024 * 3) samples.push(joined.slice(i, i + 1024));
  const prose = 'The quarterly report shows steady growth across all regions, and the team expects to ship version 2.4 next month. '.repeat(10).slice(0, 1024);
  for (const [name, texts] of [['data 1KB', samples], ['prose 1KB', [prose]]] as const) {
    const inputs = texts.map((t) => ({ text: originalOnly(t), direction: 'INPUT' as const }));
    for (let i = 0; i < 200; i++) detector.detect(inputs[i % inputs.length]!);
    const iterations = 3000;
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      detector.detect(inputs[i % inputs.length]!);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const pct = (q: number): string => times[Math.floor(q * (times.length - 1))]!.toFixed(3);
    console.log(`${name}: mean ${mean.toFixed(3)} ms, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms (${iterations} scans, ${texts.length} texts)`);
  }
}

const path = resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '../shared/data/pii.jsonl');
if (!existsSync(path)) {
  console.error(`data file not found: ${path}`);
  process.exit(1);
}
const rows: Row[] = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as Row);
const regions = (arg('--regions') ?? 'US').split(',');
const detector = createPiiDetector(policyFor(regions));
if (!detector) throw new Error('PII detector disabled');
const thresholds = arg('--threshold') ? [Number(arg('--threshold'))] : [0.4, 0.5, 0.6];
console.log(`rows ${rows.length}, phone regions ${regions.join(',')}`);
for (const t of thresholds) report(evaluate(rows, detector, t), t);
if (process.argv.includes('--perf')) perf(detector, rows);
