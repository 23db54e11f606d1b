/**
 * Trained toxicity classifier as a detector (models/toxicity-classifier/model.onnx, same
 * linear model family as the injection classifier). Findings: TOXICITY with the calibrated
 * probability as confidence; the span is the highest-scoring window or segment (empty = whole).
 */
import type { CompiledPolicy } from '../policy/types.js';
import type { Detector, DetectorFactory, DetectorInput, Finding } from './types.js';
import type { LinearTextModel } from './ml/linear-text-model.js';
import { loadShippedModel } from './ml/shipped-models.js';
import { scoreAnalyzedText } from './ml/windowed-scoring.js';

export const TOXICITY_CLASSIFIER_ID = 'toxicity-classifier';

/** A toxicity detector over a linear text model. */
export function toxicityClassifierDetector(model: LinearTextModel): Detector {
  const ruleId = `${model.id}@${model.version}`;
  return {
    id: TOXICITY_CLASSIFIER_ID,
    produces: ['TOXICITY'],
    detect(input: DetectorInput): Finding[] {
      const s = scoreAnalyzedText(model, input.text);
      const score = s.probabilities[0] ?? 0;
      if (score < model.threshold) return [];
      const confidence = Math.round(score * 1e4) / 1e4;
      return [
        {
          type: 'TOXICITY',
          severity: score >= 0.95 ? 'HIGH' : 'MEDIUM',
          confidence,
          detector: TOXICITY_CLASSIFIER_ID,
          ruleId,
          spans: s.spans,
          // No OWASP LLM Top 10 (2025) category or ATLAS technique is about offensive language itself.
          owaspId: '',
          atlasTechnique: '',
          description: `Trained classifier: hateful or offensive language (p=${confidence.toFixed(3)}).`,
        },
      ];
    },
  };
}

/** Registry factory: on when the policy enables toxicity detection; uses the shipped model. */
export const createToxicityClassifierDetector: DetectorFactory = (policy: CompiledPolicy) => {
  if (!policy.detectors.toxicity.enabled) return null;
  return toxicityClassifierDetector(loadShippedModel('toxicity-classifier'));
};
