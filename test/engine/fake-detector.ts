/**
 * Fake detectors for engine tests, injected through ScanEngine's `detectorFactories` seam:
 * they find fixed words, throw, or burn time, so the engine's decisions can be tested apart
 * from the real detectors' accuracy.
 */
import type { Detector, DetectorFactory, Finding, ThreatTypeName } from '../../src/detectors/types.js';
import type { NamedDetectorFactories } from '../../src/engine/compiled-detectors.js';
import { createCustomRuleDetector } from '../../src/detectors/custom-rules.js';

export interface WordRule {
  word: string;
  type: ThreatTypeName;
  confidence?: number;
  severity?: Finding['severity'];
  entityType?: string;
  /** No spans: a finding about the whole content. */
  wholeContent?: boolean;
}

/** Finds every occurrence of each word in the original text (UTF-16 spans), one finding per occurrence. */
export function wordDetector(id: string, rules: WordRule[]): DetectorFactory {
  const detector: Detector = {
    id,
    produces: [...new Set(rules.map((r) => r.type))],
    detect: ({ text }) => {
      const findings: Finding[] = [];
      for (const rule of rules) {
        let at = text.original.indexOf(rule.word);
        while (at >= 0) {
          findings.push({
            type: rule.type,
            severity: rule.severity ?? 'MEDIUM',
            confidence: rule.confidence ?? 0.9,
            detector: id,
            ruleId: `${id}:${rule.word}`,
            spans: rule.wholeContent ? [] : [{ start: at, end: at + rule.word.length }],
            ...(rule.entityType ? { entityType: rule.entityType } : {}),
            owaspId: 'LLM01',
            atlasTechnique: 'AML.T0051',
            description: `found ${rule.type}`,
          });
          if (rule.wholeContent) break;
          at = text.original.indexOf(rule.word, at + 1);
        }
      }
      return findings;
    },
  };
  return () => detector;
}

/** Throws on every scan, with content in the message (which must never reach callers). */
export function throwingDetector(id: string): DetectorFactory {
  return () => ({
    id,
    produces: ['PROMPT_INJECTION'],
    detect: ({ text }) => {
      throw new Error(`boom on ${text.original}`);
    },
  });
}

/** Burns `ms` of wall time per scan and finds nothing. */
export function slowDetector(id: string, ms: number): DetectorFactory {
  return () => ({
    id,
    produces: ['TOXICITY'],
    detect: () => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy wait: detectors are synchronous, like the real ones
      }
      return [];
    },
  });
}

/** Counts calls, to observe that the engine skipped a detector. */
export function countingDetector(id: string, counter: { calls: number }): DetectorFactory {
  return () => ({
    id,
    produces: ['TOXICITY'],
    detect: () => {
      counter.calls += 1;
      return [];
    },
  });
}

/** The real custom-rule detector followed by the given fakes, in that order (like the registry). */
export function withCustomRules(...fakes: Array<readonly [string, DetectorFactory]>): NamedDetectorFactories {
  return [['custom-rules', createCustomRuleDetector], ...fakes];
}
