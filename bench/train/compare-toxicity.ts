/**
 * Lexicon vs trained classifier on the toxicity test split (same hash split as training):
 * recall and FPR of each at its own operating point, per source, and the classifier's recall
 * at the lexicon's FPR. `npx tsx bench/train/compare-toxicity.ts`
 */
import { resolve } from 'node:path';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { createToxicityDetector } from '../../src/detectors/toxicity-lexicon.js';
import { loadShippedModel } from '../../src/detectors/ml/shipped-models.js';
import { scoreAnalyzedText } from '../../src/detectors/ml/windowed-scoring.js';
import { defaultPolicySet } from '../../src/policy/load-policy.js';
import { dataDirectory, readLabelledJsonl } from './labelled-dataset.js';

const policy = Object.values(defaultPolicySet({}).tenants)[0]!.default!;
const lexicon = createToxicityDetector(policy);
const model = loadShippedModel('toxicity-classifier');
const rows = readLabelledJsonl(resolve(dataDirectory(), 'toxicity.jsonl')).filter((r) => r.split === 'test');

const scored = rows.map((r) => {
  const text = analyzeText(r.text);
  return {
    row: r,
    lexicon: lexicon === null ? false : lexicon.detect({ text, direction: 'INPUT' }).length > 0,
    score: scoreAnalyzedText(model, text).probabilities[0]!,
  };
});

function report(name: string, flagged: (s: (typeof scored)[number]) => boolean): { recall: number; fpr: number } {
  const pos = scored.filter((s) => s.row.label === 1);
  const neg = scored.filter((s) => s.row.label === 0);
  const recall = pos.filter(flagged).length / pos.length;
  const fpr = neg.filter(flagged).length / neg.length;
  console.log(`${name.padEnd(40)} recall ${(recall * 100).toFixed(1)}%  FPR ${(fpr * 100).toFixed(1)}%  (${pos.length} toxic, ${neg.length} benign)`);
  for (const source of [...new Set(scored.map((s) => s.row.source))].sort()) {
    const p = pos.filter((s) => s.row.source === source);
    const n = neg.filter((s) => s.row.source === source);
    console.log(`   ${source.slice(0, 60).padEnd(60)} recall ${((p.filter(flagged).length / p.length) * 100).toFixed(1)}% (${p.length})  FPR ${((n.filter(flagged).length / n.length) * 100).toFixed(1)}% (${n.length})`);
  }
  return { recall, fpr };
}

console.log(lexicon === null ? 'toxicity lexicon detector: disabled/stub' : 'toxicity lexicon detector loaded');
const lex = report('lexicon (toxicity-lexicon.ts)', (s) => s.lexicon);
report(`classifier @ shipped threshold ${model.threshold.toFixed(3)}`, (s) => s.score >= model.threshold);
// The classifier at the lexicon's FPR: the threshold that flags the same share of benign rows.
const benign = scored.filter((s) => s.row.label === 0).map((s) => s.score).sort((a, b) => b - a);
const atLexiconFpr = benign[Math.floor(lex.fpr * benign.length)] ?? 1;
report(`classifier @ lexicon's FPR (t=${atLexiconFpr.toFixed(3)})`, (s) => s.score > atLexiconFpr);
report('lexicon OR classifier (shipped threshold)', (s) => s.lexicon || s.score >= model.threshold);
