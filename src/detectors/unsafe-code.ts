/**
 * Unsafe code in answers (OWASP LLM05 Improper Output Handling): commands and snippets that
 * pipe downloads into a shell, wipe disks, open reverse shells, harvest credentials, turn off
 * TLS verification or other protections. Rules: rules/unsafe-code-rules.yaml, run over the
 * original text (one RE2.Set prefilter pass, then only the rules that can match).
 *
 * Context lowers confidence, so explanations pass under the default minConfidence (0.5):
 * a match outside code (fenced block, inline code, shell-prompt line) counts half of its rule's
 * confidence, and so does a match with a warning just before it ("never run", "don't").
 */
import { DEFAULT_OUTPUT_GUARDS } from '../policy/default-policy.js';
import { codeRegions, insideAny } from './output/code-regions.js';
import { compilePatternCatalog } from './rules/pattern-catalog.js';
import type { PatternRuleSet } from './rules/pattern-rule-set.js';
import { loadRuleCatalog } from './rules/rule-catalog.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, TextSpan } from './types.js';

export const UNSAFE_CODE_DETECTOR_ID = 'unsafe-code';
export const UNSAFE_CODE_RULES_FILE = 'unsafe-code-rules.yaml';

/** Compiled once per process (per worker thread). */
const RULES: PatternRuleSet = compilePatternCatalog(loadRuleCatalog(UNSAFE_CODE_RULES_FILE), { types: ['UNSAFE_CODE'] });

/** Factor for a match in prose or after a warning. */
const MENTION_FACTOR = 0.5;
const WARNING_WINDOW = 60;
const WARNING = /\b(?:never|don't|do not|dont|avoid|dangerous|careful|warning|caution|malicious|attackers?|not recommended|bad idea|insecure|unsafe|destroy|wipe)\b/i;

/** Builds the detector, or null when the policy switches it off. */
export const createUnsafeCodeDetector: DetectorFactory = (policy) =>
  (policy.outputGuards ?? DEFAULT_OUTPUT_GUARDS).unsafeCode.enabled ? new UnsafeCodeDetector(RULES) : null;

class UnsafeCodeDetector implements Detector {
  readonly id = UNSAFE_CODE_DETECTOR_ID;
  readonly produces = ['UNSAFE_CODE'] as const;

  constructor(private readonly rules: PatternRuleSet) {}

  detect(input: DetectorInput): Finding[] {
    const original = input.text.views[0];
    if (!original) return [];
    const findings = this.rules.findings(this.id, [original]);
    if (findings.length === 0) return findings;
    const text = input.text.original;
    const regions = codeRegions(text);
    return findings.map((f) => {
      const handed = f.spans.some((s) => insideAny(s, regions) && !warnedBefore(text, s));
      return handed ? f : { ...f, confidence: Math.round(f.confidence * MENTION_FACTOR * 100) / 100 };
    });
  }
}

/** A warning word shortly before the span, on the same line or the line before. */
function warnedBefore(text: string, span: TextSpan): boolean {
  const before = text.slice(Math.max(0, span.start - WARNING_WINDOW), span.start);
  return WARNING.test(before);
}
