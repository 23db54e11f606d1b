/**
 * Measures the injection pattern detector (and, when toxicity.jsonl sits next to the
 * injection file, the toxicity lexicon) on labelled data. Numbers only; never prints
 * any text from the data set.
 *
 *   npx tsx bench/eval-patterns.ts [path/to/injection.jsonl]
 *
 * Rows are split by a stable hash of their text into a "dev" part (4/5, the part a
 * rule author may look at) and a "held" part (1/5, never looked at while writing
 * rules); both are reported, overall and per source. Reports recall on attacks
 * (label 1), false-positive rate on benign rows (label 0), rule hit counts on benign
 * rows, and scan latency (analyzeText + detect).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createInjectionDetector } from '../src/detectors/injection-patterns.js';
import { analyzeText } from '../src/detectors/normalize/analyze-text.js';
import { createToxicityDetector } from '../src/detectors/toxicity-lexicon.js';
import type { CompiledPolicy } from '../src/policy/types.js';

const path = process.argv[2] ?? new URL('../../shared/data/injection.jsonl', import.meta.url).pathname;
if (!existsSync(path)) {
  console.log(`data file not found: ${path}`);
  process.exit(1);
}

interface Row {
  text: string;
  label: 0 | 1;
  source: string;
  subset?: string;
}

const policy = { detectors: { injection: { enabled: true }, toxicity: { enabled: true } } } as unknown as CompiledPolicy;
const detector = createInjectionDetector(policy);
if (detector === null) throw new Error('detector disabled');

const rows: Row[] = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Row);

type Counts = { n: number; hit: number };
const table = new Map<string, Counts>();
const benignRuleHits = new Map<string, number>();
const attackRuleHits = new Map<string, number>();
const latencies: number[] = [];

function bump(key: string, hit: boolean): void {
  const c = table.get(key) ?? { n: 0, hit: 0 };
  c.n++;
  if (hit) c.hit++;
  table.set(key, c);
}

for (const row of rows) {
  const part = createHash('sha256').update(row.text).digest()[0]! % 5 === 0 ? 'held' : 'dev';
  const t0 = performance.now();
  const findings = detector.detect({ text: analyzeText(row.text), direction: 'INPUT' });
  latencies.push(performance.now() - t0);
  const hit = findings.length > 0;
  const kind = row.label === 1 ? 'attack' : 'benign';
  for (const key of [`${part}|${kind}|ALL`, `${part}|${kind}|${row.source}`, `all|${kind}|ALL`]) bump(key, hit);
  const ruleHits = row.label === 1 ? attackRuleHits : benignRuleHits;
  for (const f of findings) ruleHits.set(f.ruleId, (ruleHits.get(f.ruleId) ?? 0) + 1);
}

const pct = (c: Counts): string => ((100 * c.hit) / Math.max(1, c.n)).toFixed(1).padStart(5);
console.log('part  kind    metric  value   hits/rows  source');
for (const key of [...table.keys()].sort()) {
  const [part, kind, source] = key.split('|') as [string, string, string];
  const c = table.get(key)!;
  const metric = kind === 'attack' ? 'recall' : 'FPR   ';
  console.log(`${part.padEnd(5)} ${kind} ${metric}  ${pct(c)}%  ${String(c.hit).padStart(4)}/${String(c.n).padEnd(5)} ${source}`);
}
console.log('\nrule hits on benign rows:');
for (const [id, n] of [...benignRuleHits].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${id}`);
console.log('\nrule hits on attack rows:');
for (const [id, n] of [...attackRuleHits].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${id}`);
latencies.sort((a, b) => a - b);
const q = (p: number): string => (latencies[Math.floor(p * (latencies.length - 1))] ?? 0).toFixed(3);
console.log(`\nlatency per row (ms): p50 ${q(0.5)}  p95 ${q(0.95)}  p99 ${q(0.99)}  max ${q(1)}`);

const toxicityPath = path.replace(/injection\.jsonl$/, 'toxicity.jsonl');
const toxicity = createToxicityDetector(policy);
if (toxicityPath !== path && existsSync(toxicityPath) && toxicity !== null) {
  console.log('\ntoxicity lexicon (label 1 = hate or offensive): hit rate by source/subset/label, and by min confidence');
  const counts = new Map<string, Counts>();
  const byConfidence = new Map<string, Counts>();
  for (const line of readFileSync(toxicityPath, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Row;
    const findings = toxicity.detect({ text: analyzeText(row.text), direction: 'OUTPUT' });
    const key = `${row.source.split(' ')[0]}|${row.subset ?? ''}|${row.label}`;
    const c = counts.get(key) ?? { n: 0, hit: 0 };
    c.n++;
    if (findings.length > 0) c.hit++;
    counts.set(key, c);
    const top = Math.max(0, ...findings.map((f) => f.confidence));
    for (const min of [0.4, 0.5, 0.7, 0.9]) {
      const k = `label ${row.label} at minConfidence ${min}`;
      const b = byConfidence.get(k) ?? { n: 0, hit: 0 };
      b.n++;
      if (top >= min) b.hit++;
      byConfidence.set(k, b);
    }
  }
  for (const [key, c] of [...counts].sort()) console.log(`  ${pct(c)}%  ${String(c.hit).padStart(4)}/${String(c.n).padEnd(5)} ${key}`);
  for (const [key, c] of [...byConfidence].sort()) console.log(`  ${pct(c)}%  ${String(c.hit).padStart(4)}/${String(c.n).padEnd(5)} ${key}`);
}
