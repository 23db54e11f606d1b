/**
 * The trained prompt-injection / jailbreak classifier at scan time: the shipped ONNX model's
 * weights evaluated in TypeScript (see linear-text-model.ts for why), loaded once per worker
 * thread, scoring a text as the best of its windows and segments.
 */
import type { AnalyzedText, TextSpan } from '../types.js';
import type { LinearTextModel } from './linear-text-model.js';
import { loadShippedModel } from './shipped-models.js';
import { scoreAnalyzedText } from './windowed-scoring.js';

export interface InjectionScore {
  /** Calibrated probability that the text is an injection or jailbreak. */
  score: number;
  /** Probability that an attack is jailbreak-style (0 when the model has no such output). */
  jailbreak: number;
  /** True when `score` reaches the model's validated threshold. */
  flagged: boolean;
  /** The best window in the original content; empty = the whole content. */
  spans: TextSpan[];
  windowCount: number;
}

export class InjectionClassifier {
  readonly model: LinearTextModel;
  private readonly jailbreakOutput: number;

  constructor(model: LinearTextModel) {
    this.model = model;
    this.jailbreakOutput = model.outputs.indexOf('jailbreak');
  }

  /** Scores a text (pure, synchronous; cost bounded by the model's window cap). */
  score(text: AnalyzedText): InjectionScore {
    const s = scoreAnalyzedText(this.model, text);
    const score = s.probabilities[0] ?? 0;
    return {
      score,
      jailbreak: this.jailbreakOutput < 0 ? 0 : (s.probabilities[this.jailbreakOutput] ?? 0),
      flagged: score >= this.model.threshold,
      spans: s.spans,
      windowCount: s.windowCount,
    };
  }
}

let shipped: InjectionClassifier | undefined;

/** The classifier with the shipped model (models/injection-classifier/model.onnx), one per thread. */
export function shippedInjectionClassifier(): InjectionClassifier {
  shipped ??= new InjectionClassifier(loadShippedModel('injection-classifier'));
  return shipped;
}
