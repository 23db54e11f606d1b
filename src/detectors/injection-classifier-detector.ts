/**
 * Trained prompt-injection / jailbreak classifier as a detector (complements the RE2 rules of
 * injection-patterns.ts: it generalises to phrasings no rule lists, at a calibrated confidence).
 *
 * Findings: PROMPT_INJECTION, or JAILBREAK when the model's jailbreak output dominates;
 * confidence = calibrated probability; ruleId = model id@version; OWASP LLM01, MITRE ATLAS
 * AML.T0051 (LLM Prompt Injection). The span is the highest-scoring window or segment, or
 * empty when the whole content was one window.
 */
import type { CompiledPolicy } from '../policy/types.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, SeverityName } from './types.js';
import { InjectionClassifier, shippedInjectionClassifier } from './ml/injection-classifier.js';
import type { LinearTextModel } from './ml/linear-text-model.js';

export const INJECTION_CLASSIFIER_ID = 'injection-classifier';

/** At or above this probability the finding is CRITICAL (HIGH between the threshold and here). */
const CRITICAL_SCORE = 0.98;

function severityOf(score: number): SeverityName {
  return score >= CRITICAL_SCORE ? 'CRITICAL' : 'HIGH';
}

/** A detector for a given classifier (the shipped one, or a linear model a caller trained). */
export function injectionClassifierDetector(classifier: InjectionClassifier): Detector {
  const ruleId = `${classifier.model.id}@${classifier.model.version}`;
  return {
    id: INJECTION_CLASSIFIER_ID,
    produces: ['PROMPT_INJECTION', 'JAILBREAK'],
    detect(input: DetectorInput): Finding[] {
      const s = classifier.score(input.text);
      if (!s.flagged) return [];
      const jailbreak = s.jailbreak > 0.5;
      const confidence = Math.round(s.score * 1e4) / 1e4;
      return [
        {
          type: jailbreak ? 'JAILBREAK' : 'PROMPT_INJECTION',
          severity: severityOf(s.score),
          confidence,
          detector: INJECTION_CLASSIFIER_ID,
          ruleId,
          spans: s.spans,
          owaspId: 'LLM01',
          atlasTechnique: 'AML.T0051',
          description: jailbreak
            ? `Trained classifier: text resembles a jailbreak prompt (p=${confidence.toFixed(3)}).`
            : `Trained classifier: text resembles a prompt injection (p=${confidence.toFixed(3)}).`,
        },
      ];
    },
  };
}

/** Builds a detector over a caller-supplied linear model (same ONNX format as the shipped one). */
export function injectionClassifierDetectorForModel(model: LinearTextModel): Detector {
  return injectionClassifierDetector(new InjectionClassifier(model));
}

/** Registry factory: on when the policy enables injection detection; uses the shipped model. */
export const createInjectionClassifierDetector: DetectorFactory = (policy: CompiledPolicy) => {
  if (!policy.detectors.injection.enabled) return null;
  return injectionClassifierDetector(shippedInjectionClassifier());
};
