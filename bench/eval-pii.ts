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
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPiiDetector } from '../src/detectors/pii-recognizers.js';
import type { AnalyzedText, Detector } from '../src/detectors/types.js';
import type { CompiledPolicy } from '../src/policy/types.js';
import { countSpans, loadRows, scores, type EntityCounts, type LabelledRow } from './pii-span-metrics.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function policyFor(regions: string[]): CompiledPolicy {
  const rule = { minConfidence: 0.4, action: { INPUT: 'REDACT', OUTPUT: 'REDACT' } } as const;
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

function report(counts: Map<string, EntityCounts>, threshold: number): void {
  console.log(`\nthreshold ${threshold}`);
  console.log('entity               gold  pred | exact P   R     F1  | overlap P   R     F1');
  const fmt = (n: number): string => n.toFixed(3);
  for (const [type, c] of [...counts.entries()].sort()) {
    const { exact: e, overlap: o } = scores(c);
    console.log(
      `${type.padEnd(20)} ${String(c.gold).padStart(5)} ${String(c.predicted).padStart(5)} | ${fmt(e.precision)} ${fmt(e.recall)} ${fmt(e.f1)} | ${fmt(o.precision)} ${fmt(o.recall)} ${fmt(o.f1)}`,
    );
  }
}

/**
 * Wall-clock percentiles per scan, and CPU time per scan (process.cpuUsage), which stays
 * meaningful when other processes compete for the cores.
 */
function perf(detector: Detector, rows: LabelledRow[]): void {
  // 1 KB samples cut from the data (dense with PII) and one of plain prose.
  const joined = rows.map((r) => r.text).join('\n');
  const samples: string[] = [];
  for (let i = 0; i + 1024 <= joined.length && samples.length < 200; i += 1024 * 3) samples.push(joined.slice(i, i + 1024));
  const prose = 'The quarterly report shows steady growth across all regions, and the team expects to ship version 2.4 next month. '.repeat(10).slice(0, 1024);
  for (const [name, texts] of [['data 1KB', samples], ['prose 1KB', [prose]]] as const) {
    const inputs = texts.map((t) => ({ text: originalOnly(t), direction: 'INPUT' as const }));
    for (let i = 0; i < 500; i++) detector.detect(inputs[i % inputs.length]!);
    const iterations = 5000;
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      detector.detect(inputs[i % inputs.length]!);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort((a, b) => a - b);
    const pct = (q: number): string => times[Math.floor(q * (times.length - 1))]!.toFixed(3);
    const cpuPerScan = (cpu.user + cpu.system) / 1000 / iterations;
    console.log(
      `${name}: CPU ${cpuPerScan.toFixed(3)} ms/scan; wall p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, p99 ${pct(0.99)} ms (${iterations} scans, ${texts.length} texts)`,
    );
  }
}

const path = resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '../shared/data/pii.jsonl');
if (!existsSync(path)) {
  console.error(`data file not found: ${path}`);
  process.exit(1);
}
const rows = loadRows(path);
const regions = (arg('--regions') ?? 'US').split(',');
const detector = createPiiDetector(policyFor(regions));
if (!detector) throw new Error('PII detector disabled');
const thresholds = arg('--threshold') ? [Number(arg('--threshold'))] : [0.4, 0.5, 0.6];
console.log(`rows ${rows.length}, phone regions ${regions.join(',')}`);
for (const t of thresholds) report(countSpans(rows, detector, t), t);
if (process.argv.includes('--perf')) perf(detector, rows);
