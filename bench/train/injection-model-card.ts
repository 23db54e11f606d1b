/** MODEL_CARD.md of the injection classifier: fixed prose plus the measured tables. */
import type { LinearTextModel } from '../../src/detectors/ml/linear-text-model.js';
import { STRUCTURAL_FEATURE_NAMES } from '../../src/detectors/ml/structural-features.js';
import { metricsMarkdown } from './model-card.js';
import type { PipelineReport } from './train-pipeline.js';
import type { CatalogueUse } from './gettext-benign.js';

function cataloguesMarkdown(catalogues: CatalogueUse[]): string {
  if (catalogues.length === 0) return 'None (trained with --no-gettext).';
  const byPackage = new Map<string, { strings: number; locales: Set<string> }>();
  for (const c of catalogues) {
    const entry = byPackage.get(c.package) ?? { strings: 0, locales: new Set<string>() };
    entry.strings += c.strings;
    entry.locales.add(c.locale);
    byPackage.set(c.package, entry);
  }
  const rows = [...byPackage.entries()].sort((a, b) => b[1].strings - a[1].strings);
  return ['| Debian package (version) | rows drawn from it | locales |', '|---|---:|---|', ...rows.map(([p, e]) => `| ${p} | ${e.strings} | ${[...e.locales].sort().join(' ')} |`)].join('\n');
}

export function injectionModelCard(
  model: LinearTextModel,
  report: PipelineReport,
  dataSha: string,
  catalogues: CatalogueUse[],
  probes: Array<{ kind: string; text: string; score: number }>,
): string {
  const probeRows = probes
    .map((p) => `| ${p.kind} | ${JSON.stringify(p.text.length > 70 ? `${p.text.slice(0, 70)}…` : p.text).replace(/\|/g, '\\|')} | ${p.score.toFixed(3)} | ${p.score >= model.threshold ? 'flagged' : '-'} |`)
    .join('\n');
  const f = model.features;
  const w = model.windows;
  return `# Bulwark prompt-injection / jailbreak classifier

Model id \`${model.id}\`, version \`${model.version}\` (the version is a hash of the data file,
the feature/window configuration and the fitting options). File: \`model.onnx\` (ONNX IR 7,
opset 13), produced by \`npm run train\` (bench/train/train-injection.ts). Regenerate this card
with the same command; every number below comes from that run (also in \`metrics.json\`).

## What it is

A logistic regression over sparse hashed text features, with two outputs:

- \`attack\` — calibrated probability that the text is a prompt injection or jailbreak
  (Platt scaling folded into the weights);
- \`jailbreak\` — among attacks, probability that it is a jailbreak-style prompt (persona /
  "no rules" prompts) rather than an injected instruction. The detector reports JAILBREAK
  instead of PROMPT_INJECTION when this is > 0.5.

The ONNX graph is sparse: \`feature_indices:int64[N]\` and \`feature_values:float[N]\` →
Gather(weights[${2 ** f.hashBits + (f.structural ? STRUCTURAL_FEATURE_NAMES.length : 0)}, 2]) → Mul → ReduceSum → Add(bias) → Sigmoid. Bulwark evaluates
the same weights in TypeScript at scan time (synchronous, no native round trip); a test runs
this file through onnxruntime-node and requires equal outputs (1e-5).

## Features (src/detectors/ml/text-features.ts, feature version ${f.featureVersion})

Text is the normaliser's view (\`analyzeText\`, views[1] when present, else the original),
then NFKC, lower case, invisible characters removed, whitespace collapsed.

- character ${f.charNgramMin}–${f.charNgramMax}-grams over the canonical text (with a space at both ends), hashed
  (FNV-1a + murmur3 finaliser) into 2^${f.hashBits} buckets; sublinear counts (1 + ln c), L2-normalised;
- word unigrams${f.wordNgramMax >= 2 ? ' and bigrams' : ''} in the same buckets (different seeds), same weighting;
- ${STRUCTURAL_FEATURE_NAMES.length} structural cues in [0, 1]: ${STRUCTURAL_FEATURE_NAMES.join(', ')}.

## Windows and segments

A text is scored in windows of ${w.size} characters overlapping by ${w.overlap} (at most ${w.maxWindows} windows,
evenly spread beyond that)${w.segments ? ', and each window also sentence by sentence (segments of 40–400 characters)' : ''}; the text's score is the
maximum. Training uses the same units as multiple-instance learning: an attack text
contributes its highest-scoring unit (re-selected for 2 rounds), every unit of a benign text
is a negative.

## Data

Only \`injection.jsonl\` of the project's shared data directory (sha256 \`${dataSha}\`),
6,709 rows (3,114 attacks, 3,595 benign). Its README names the upstream sources:
verazuo/jailbreak_llms (MIT), meta-llama CyberSecEval prompt injection incl. the
machine-translated multilingual set and the MITRE false-refusal benign set (MIT),
microsoft/BIPIA (MIT; table and code contexts CC-BY-SA), yjw1029/Self-Reminder-Data (MIT),
Giskard-AI/giskard (Apache-2.0), deepset/prompt-injections (Apache-2.0),
jackhhao/jailbreak-classification (MIT), allenai/wildguardmix benign via InjecGuard (ODC-BY),
paul-rottger/XSTest (CC-BY-4.0), yizhongw/self-instruct (Apache-2.0),
f/awesome-chatgpt-prompts (CC0). The data is not in this repository.

**Additional benign data: translated user-interface messages** (source
\`${'debian-gettext-translations'}\` in the tables). In injection.jsonl every row in Hindi, Thai,
Arabic, Bengali, … is an attack (CyberSecEval's machine translations), which teaches a model
"this script ⇒ attack". To break that shortcut, training adds up to 80 benign rows per
CyberSecEval language (1–3 consecutive gettext messages joined, 30–400 characters, format
specifiers removed, chosen by a stable hash) read from the compiled gettext catalogues
(\`/usr/share/locale/<lang>/LC_MESSAGES/*.mo\`, \`iso_*\` catalogues excluded) of the Debian 12
packages installed on the build machine. They are translations shipped by those packages under
the packages' own licences (mostly GPL/LGPL); none of the text is copied into this repository.
The exact catalogues are listed in \`metrics.json\` (\`gettextCatalogues\`); by package:

${cataloguesMarkdown(catalogues)}

Split: by a stable hash of the text (FNV-1a + murmur3 finaliser, seed 0x0b1a5ed5) into
train / validation / test = 70 / 15 / 15. The test split was used for nothing but the numbers
below. Labels: 1 = attack; the jailbreak output is trained on attack rows of the train split
with label 1 for verazuo, Self-Reminder, jackhhao and Giskard "Jailbreak".

Fitting: full-batch L-BFGS, L2 = ${model.info.l2 ?? '?'} (chosen on the validation split among 1e-7, 3e-7, 1e-6,
3e-6, 1e-5 and 4e-5: highest validation recall at the 1% FPR threshold; validation recall
79.1%, 74.8%, 76.2%, 74.4%, 70.8%, 71.0%), at most 150 L-BFGS iterations. Hash space 2^17 chosen on validation too (2^16: 75.3%, 2^17: 79.5%,
2^18: 79.1% validation recall): half the memory of 2^18, so the weights stay in cache at scan time, rows weighted 1/sqrt(rows of their source and label)
and then the two classes to equal total weight (so small sources are not drowned out).

## Results

${metricsMarkdown(report)}

### Probes (hand-written, not from the data)

| kind | text | score | at threshold |
|---|---|---:|---|
${probeRows}

## Known weaknesses

- **Below the targets.** The goal was recall ≥ 95% at FPR ≤ 1% with every attack source ≥ 85%;
  see the tables for what this model reaches. A linear model over n-grams separates the
  obvious styles well but not the rows whose maliciousness depends on intent or context.
- **CyberSecEval rows are labelled relative to a system prompt** (\`meta.system_prompt\`),
  e.g. "Write a haiku about the password" is an attack only because the system prompt says
  not to reveal it. The model scores the input alone (the API has no system prompt field),
  so part of this source is out of its reach by construction.
- **BIPIA "attack" strings are often ordinary requests** ("What is the capital of Brazil?"),
  malicious only because they are planted in a document; alone they look like the benign
  self-instruct rows. Segment scoring helps inside documents, not for the bare strings.
- **Language bias.** Apart from deepset's German rows, every non-English row of injection.jsonl
  is an attack. The translated UI messages counter this, but they are terse software messages,
  not conversational requests: expect a higher FPR on benign conversational text in other
  languages than on English text.
- **Label noise.** verazuo/jailbreak_llms contains prompts collected from jailbreak communities
  that are ordinary role prompts; deepset/prompt-injections has several rows whose label is
  debatable.
- **Obfuscation.** Homoglyphs and invisible characters are handled by NFKC and the structural
  cues; leetspeak, ciphers, and base64 only as far as the normaliser decodes them (decoded views
  are scored too). Attacks split across many windows of a very long text are scored per window.
- **Held-out sources** will be lower than the leave-one-source-out numbers suggest only if they
  differ in style from all training sources; those numbers are the best guide available.
`;
}
