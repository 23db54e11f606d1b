/** MODEL_CARD.md of the toxicity classifier. */
import type { LinearTextModel } from '../../src/detectors/ml/linear-text-model.js';
import { metricsMarkdown } from './model-card.js';
import type { PipelineReport } from './train-pipeline.js';
import { TOXICITY_MAX_FPR } from './train-toxicity.js';

export function toxicityModelCard(model: LinearTextModel, report: PipelineReport, dataSha: string): string {
  const f = model.features;
  return `# Bulwark toxicity classifier

Model id \`${model.id}\`, version \`${model.version}\`; \`model.onnx\` written by
\`npm run train -- --toxicity\` (bench/train/train-toxicity.ts). Same model family, features
and windowing as the injection classifier (see ../injection-classifier/MODEL_CARD.md), without
the structural injection cues: character ${f.charNgramMin}–${f.charNgramMax}-grams and word uni/bigrams hashed into
2^${f.hashBits} buckets, one output (\`score\`, calibrated probability of hate or offensive language).

## Data

Only \`toxicity.jsonl\` of the project's shared data (sha256 \`${dataSha}\`): Davidson et al. 2017
tweets (t-davidson/hate-speech-and-offensive-language, MIT; hate and offensive = 1, neither = 0)
and a small Jigsaw toxic-comment sample via unitaryai/detoxify (CC0 labels, CC-BY-SA-3.0 text).
Split 70/15/15 by a stable hash of the text; the threshold is chosen on validation for benign
FPR ≤ ${TOXICITY_MAX_FPR * 100}% (offensive language is far more common in traffic than injection, and
the policy decides the action).

## Results

${metricsMarkdown(report, 'toxic')}

## Known weaknesses

- Almost all rows are 2013-era English tweets: slang, slurs and spelling of that corpus.
  Other registers (workplace chat, model output) and other languages are not represented.
- Davidson's "offensive" class is dominated by a few slurs and profanities, so the model
  leans on them: quoted or reclaimed uses are flagged, and polite hate is missed.
- The Jigsaw sample is small (${'~240'} rows), so its per-source numbers are noisy.
`;
}
