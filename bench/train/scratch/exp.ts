import { performance } from 'node:perf_hooks';
import { readLabelledJsonl, dataDirectory } from '../labelled-dataset.js';
import { buildDocs, trainWindowedClassifier, docLogit } from '../text-classifier-training.js';
import { DEFAULT_FEATURE_CONFIG } from '../../../src/detectors/ml/text-features.js';
import { DEFAULT_WINDOW_OPTIONS } from '../../../src/detectors/ml/text-windows.js';
import { thresholdForFpr, rates, perSource, rocAuc } from '../classifier-metrics.js';

const l2 = Number(process.argv[2] ?? 1e-4);
const mil = Number(process.argv[3] ?? 1);
const bits = Number(process.argv[4] ?? 18);
const features = { ...DEFAULT_FEATURE_CONFIG, hashBits: bits };
let t = performance.now();
const rows = readLabelledJsonl(`${dataDirectory()}/injection.jsonl`);
const docs = buildDocs(rows, features, {...DEFAULT_WINDOW_OPTIONS, segments: process.env.SEG !== '0'});
const counts = new Map<string, number>(); for (const r of rows) counts.set(r.source+r.label, (counts.get(r.source+r.label) ?? 0) + 1);
let nnz = 0, nw = 0; for (const d of docs) for (const w of d.windows) { nnz += w.indices.length; nw++; }
console.log('features', (performance.now() - t).toFixed(0), 'ms', 'windows', nw, 'nnz', nnz);
t = performance.now();
const train = docs.filter((d) => d.row.split === 'train');
const fit = trainWindowedClassifier(train, features, { fit: { l2, maxIterations: 200, tolerance: 1e-6, history: 8 }, milRounds: mil, labelOf: (r) => r.label, docWeight: process.env.SB ? (r) => 1/Math.sqrt(counts.get(r.source+r.label)!) : undefined });
console.log('train', (performance.now() - t).toFixed(0), 'ms');
for (const split of ['validation', 'test'] as const) {
  const s = docs.filter((d) => d.row.split === split).map((d) => ({ score: 1/(1+Math.exp(-docLogit(fit, d).logit)), label: d.row.label, source: d.row.source }));
  const th = thresholdForFpr(s.map(x=>x), 0.01);
  console.log(split, 'auc', rocAuc(s).toFixed(4), 'th', th.toFixed(3), rates(s, th));
  if (split === 'validation') (globalThis as any).th = th;
}
const s = docs.filter((d) => d.row.split === 'test').map((d) => ({ score: 1/(1+Math.exp(-docLogit(fit, d).logit)), label: d.row.label, source: d.row.source }));
for (const m of perSource(s, (globalThis as any).th)) console.log(m.label, m.source.padEnd(50), m.rows, m.rate.toFixed(3));
if (process.env.DUMP) {
  const v = docs.filter((d) => d.row.split === 'validation').map((d) => ({ d, p: 1/(1+Math.exp(-docLogit(fit, d).logit)) }));
  const th0 = (globalThis as any).th;
  const fn = v.filter(x => x.d.row.label === 1 && x.p < th0);
  const fp = v.filter(x => x.d.row.label === 0).sort((a,b)=>b.p-a.p).slice(0, 12);
  const out: string[] = [];
  for (const x of fn) out.push(`FN ${x.p.toFixed(3)} ${x.d.row.source} ${x.d.row.subset} ${JSON.stringify((x.d.row.meta as any).variant ?? '')} :: ${JSON.stringify(x.d.row.text.slice(0, 300))}`);
  for (const x of fp) out.push(`FP ${x.p.toFixed(3)} ${x.d.row.source} ${x.d.row.subset} :: ${JSON.stringify(x.d.row.text.slice(0, 300))}`);
  (await import('node:fs')).writeFileSync('/tmp/errors.txt', out.join('\n'));
}
