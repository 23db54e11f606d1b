import { readFileSync } from 'node:fs';
import { canonicalizeForFeatures, extractFeatures, DEFAULT_FEATURE_CONFIG } from '../../../src/detectors/ml/text-features.js';
import { computeStructuralFeatures } from '../../../src/detectors/ml/structural-features.js';
const rows = readFileSync('/work/shared/data/injection.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l).text as string);
const texts: string[] = [];
for (const r of rows) { if (r.length >= 1000) texts.push(canonicalizeForFeatures(r.slice(0, 1000))); if (texts.length>=500) break; }
function time(name: string, f: (t: string)=>unknown) {
  for (let k=0;k<3;k++) for (const t of texts) f(t);
  const t0 = performance.now(); for (let k=0;k<10;k++) for (const t of texts) f(t);
  console.log(name.padEnd(20), ((performance.now()-t0)/(10*texts.length)*1000).toFixed(1), 'us/1KB');
}
const cfg = {...DEFAULT_FEATURE_CONFIG, structural:false};
time('extract-nostruct', t => extractFeatures(t, t, cfg));
const dense = new Float64Array(30);
time('struct', t => computeStructuralFeatures(t, t, {count:200,secondPerson:3,maxFrequency:5}, dense, 0));
time('extract', t => extractFeatures(t, t, DEFAULT_FEATURE_CONFIG));
