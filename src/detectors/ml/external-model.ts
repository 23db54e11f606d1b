/**
 * Loads a user's exported ONNX text-classification model from a local directory and runs it
 * with onnxruntime-node. No network access, ever: everything comes from the directory.
 *
 * ## Directory contract
 *
 * | file | required | content |
 * |---|---|---|
 * | `model.onnx` | yes | a sequence classifier: int64 inputs `input_ids` [batch, sequence] and, if the graph declares them, `attention_mask` and `token_type_ids` (same shape); first output (or `logits`) = float [batch, labels] |
 * | `tokenizer.json` | yes | Hugging Face `tokenizers` format; WordPiece (BERT family) or Unigram (DeBERTa-v3 / mDeBERTa, e.g. Prompt Guard) — see hf-tokenizer.ts |
 * | `config.json` | no | `id2label` (e.g. {"0": "BENIGN", "1": "INJECTION", "2": "JAILBREAK"}), `max_position_embeddings` (sequence cap, default 512), `problem_type` ("multi_label_classification" → sigmoid instead of softmax) |
 *
 * Labels map to threats by name: a label containing "JAILBREAK" → JAILBREAK; containing
 * "INJECT" (or equal to "MALICIOUS"/"UNSAFE"/"LABEL_1" on a two-label model) → PROMPT_INJECTION;
 * anything else is benign.
 *
 * ## Why asynchronous, and what the engine must do
 *
 * Transformer inference takes milliseconds to tens of milliseconds and onnxruntime-node's
 * `session.run` returns a promise, so this cannot be a synchronous {@link Detector}. It is an
 * {@link AsyncDetector}: an engine that supports it must, per scan, after the synchronous
 * detectors, `await detectAsync(input)` for each async detector of the policy (bounded by the
 * scan's deadline: on timeout, apply the policy's fail mode as for any detector error), then
 * merge the findings exactly like synchronous findings (minConfidence, allow patterns, action).
 * Sessions are created once per worker thread (onnxruntime keeps its own thread pool; use
 * `intraOpThreads: 1` when several workers share two cores).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DetectorInput, Finding, ThreatTypeName } from '../types.js';
import type { Tokenizer } from './hf-tokenizer.js';
import { parseTokenizerJson } from './hf-tokenizer.js';

/** A detector whose work is asynchronous (see the module comment for the engine's side). */
export interface AsyncDetector {
  readonly id: string;
  readonly produces: readonly ThreatTypeName[];
  detectAsync(input: DetectorInput): Promise<Finding[]>;
}

export interface ExternalModelOptions {
  /** onnxruntime intra-op threads per session (default 1). */
  intraOpThreads?: number;
  /** At most this many token windows per text (default 8); longer texts are sampled evenly. */
  maxWindows?: number;
}

export interface LabelScores {
  /** Probability per label, in label order. */
  probabilities: number[];
  labels: string[];
  /** Highest attack-label probability over windows, and which threat it maps to (null = none). */
  attackScore: number;
  attackType: ThreatTypeName | null;
}

function threatOfLabel(label: string, labelCount: number): ThreatTypeName | null {
  const upper = label.toUpperCase();
  if (upper.includes('JAILBREAK')) return 'JAILBREAK';
  if (upper.includes('INJECT')) return 'PROMPT_INJECTION';
  if (labelCount === 2 && (upper === 'MALICIOUS' || upper === 'UNSAFE' || upper === 'LABEL_1')) return 'PROMPT_INJECTION';
  return null;
}

interface ModelConfig {
  labels: string[] | undefined;
  maxLength: number;
  multiLabel: boolean;
}

function readConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return { labels: undefined, maxLength: 512, multiLabel: false };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`external model: ${path} is not valid JSON`);
  }
  let labels: string[] | undefined;
  const id2label = json.id2label;
  if (typeof id2label === 'object' && id2label !== null) {
    const entries = Object.entries(id2label as Record<string, string>).map(([k, v]) => [Number(k), String(v)] as const);
    if (entries.some(([k]) => !Number.isInteger(k) || k < 0)) throw new Error('external model: config.json id2label keys must be label indices');
    labels = [];
    for (const [k, v] of entries) labels[k] = v;
    labels = Array.from(labels, (l, i) => l ?? `LABEL_${i}`);
  }
  const maxLength = Math.min(Number(json.max_position_embeddings ?? 512) || 512, 4096);
  return { labels, maxLength, multiLabel: json.problem_type === 'multi_label_classification' };
}

function requireFile(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`external model: ${name} not found in ${dir}`);
  return path;
}

/** A loaded external classifier: tokenizer + onnxruntime session. */
export class ExternalTextClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly config: ModelConfig,
    private readonly maxWindows: number,
    /** Label names (from config.json, else LABEL_i). */
    readonly labels: string[],
  ) {}

  /** Loads `dir` (see the module comment for the contract). Errors name the missing or bad file. */
  static async load(dir: string, options: ExternalModelOptions = {}): Promise<ExternalTextClassifier> {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`external model: directory ${dir} does not exist`);
    const modelPath = requireFile(dir, 'model.onnx');
    const tokenizer = parseTokenizerJson(readFileSync(requireFile(dir, 'tokenizer.json'), 'utf8'));
    const config = readConfig(dir);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: options.intraOpThreads ?? 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
      });
    } catch (err) {
      throw new Error(`external model: onnxruntime cannot load ${modelPath}: ${(err as Error).message}`, { cause: err });
    }
    if (!session.inputNames.includes('input_ids')) {
      throw new Error(`external model: model.onnx has no input_ids input (inputs: ${session.inputNames.join(', ')})`);
    }
    const labels = config.labels ?? [];
    return new ExternalTextClassifier(session, tokenizer, config, options.maxWindows ?? 8, labels);
  }

  /** Token windows of the text, each wrapped with the special tokens. */
  private windows(text: string): number[][] {
    const ids = this.tokenizer.tokenize(text);
    const size = Math.max(1, this.config.maxLength - this.tokenizer.specialTokenCount);
    if (ids.length <= size) return [ids];
    const stride = Math.max(1, Math.floor(size * 0.75));
    const needed = Math.ceil((ids.length - size) / stride) + 1;
    const count = Math.min(needed, this.maxWindows);
    const lastStart = ids.length - size;
    return Array.from({ length: count }, (_, i) => {
      const start = count === 1 ? 0 : Math.round((i * lastStart) / (count - 1));
      return ids.slice(start, start + size);
    });
  }

  private async runWindow(content: number[]): Promise<number[]> {
    const { ids, typeIds } = this.tokenizer.wrap(content);
    const shape = [1, ids.length];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
    };
    if (this.session.inputNames.includes('attention_mask')) {
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape);
    }
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', BigInt64Array.from(typeIds, BigInt), shape);
    }
    const outputs = await this.session.run(feeds);
    const name = this.session.outputNames.includes('logits') ? 'logits' : this.session.outputNames[0]!;
    const logits = Array.from(outputs[name]!.data as Float32Array);
    if (this.config.multiLabel) return logits.map((z) => 1 / (1 + Math.exp(-z)));
    const max = Math.max(...logits);
    const exp = logits.map((z) => Math.exp(z - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    return exp.map((e) => e / sum);
  }

  /** Scores `text`: label probabilities of the most attack-like window. */
  async classify(text: string): Promise<LabelScores> {
    let best: LabelScores | undefined;
    for (const window of this.windows(text)) {
      const probabilities = await this.runWindow(window);
      const labels = probabilities.map((_, i) => this.labels[i] ?? `LABEL_${i}`);
      let attackScore = 0;
      let attackType: ThreatTypeName | null = null;
      labels.forEach((label, i) => {
        const threat = threatOfLabel(label, labels.length);
        if (threat !== null && probabilities[i]! > attackScore) {
          attackScore = probabilities[i]!;
          attackType = threat;
        }
      });
      if (best === undefined || attackScore > best.attackScore) best = { probabilities, labels, attackScore, attackType };
    }
    return best!;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** An async detector over an external classifier: a finding when an attack label reaches `threshold`. */
export function externalClassifierDetector(classifier: ExternalTextClassifier, modelId: string, threshold = 0.5): AsyncDetector {
  return {
    id: 'external-classifier',
    produces: ['PROMPT_INJECTION', 'JAILBREAK'],
    async detectAsync(input: DetectorInput): Promise<Finding[]> {
      // The model's own tokenizer normalises; Bulwark's normalised view (lower-cased, folded)
      // would differ from what the model was trained on.
      const s = await classifier.classify(input.text.original);
      if (s.attackType === null || s.attackScore < threshold) return [];
      return [
        {
          type: s.attackType,
          severity: 'HIGH',
          confidence: Math.round(s.attackScore * 1e4) / 1e4,
          detector: 'external-classifier',
          ruleId: modelId,
          spans: [],
          owaspId: 'LLM01',
          atlasTechnique: 'AML.T0051',
          description: `External classifier ${modelId} flagged the text (p=${s.attackScore.toFixed(3)}).`,
        },
      ];
    },
  };
}
