/**
 * Prompt-injection and jailbreak detector: the curated rules in
 * rules/injection-rules.yaml over the normalised and decoded views, plus one
 * structural check (instructions smuggled in invisible Unicode tag characters).
 *
 * The catalogue is read and compiled once per process (per worker thread) when this
 * module is first imported, so a broken rule file stops the sidecar at startup with
 * an error naming the rule. Detection itself is pure and allocation-light: one RE2.Set
 * pass per view, then only the rules that matched.
 */
import { compilePatternCatalog } from './rules/pattern-catalog.js';
import type { PatternRuleSet } from './rules/pattern-rule-set.js';
import { loadRuleCatalog } from './rules/rule-catalog.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, TextView } from './types.js';

/** The detector id reported in findings. */
export const INJECTION_DETECTOR_ID = 'injection-patterns';
/** The rule catalogue, next to rules/rule-catalog.ts. */
export const INJECTION_RULES_FILE = 'injection-rules.yaml';

/** Compiled once per process; see the module comment. */
const RULES: PatternRuleSet = compilePatternCatalog(loadRuleCatalog(INJECTION_RULES_FILE), {
  types: ['PROMPT_INJECTION', 'JAILBREAK'],
});

/** Hidden tag-character text at least this long is reported even when no rule matches it. */
const MIN_SMUGGLED_CHARS = 12;

/** Builds the detector, or null when the policy switches injection detection off. */
export const createInjectionDetector: DetectorFactory = (policy) => {
  if (!policy.detectors.injection.enabled) return null;
  return new InjectionDetector(RULES);
};

class InjectionDetector implements Detector {
  readonly id = INJECTION_DETECTOR_ID;
  readonly produces = ['PROMPT_INJECTION', 'JAILBREAK'] as const;

  constructor(private readonly rules: PatternRuleSet) {}

  detect(input: DetectorInput): Finding[] {
    // Rules are written for the normalised text; the original view adds nothing.
    const views = input.text.views.filter((v) => v.kind !== 'original');
    const findings = this.rules.findings(this.id, views);
    const smuggled = smuggledTagText(views);
    if (smuggled !== null) findings.push(smuggled);
    return findings;
  }
}

/**
 * Readable text spelled in Unicode tag characters is invisible to people but read by
 * many models ("ASCII smuggling"); there is no benign reason for sentences of it.
 */
function smuggledTagText(views: readonly TextView[]): Finding | null {
  const tagViews = views.filter((v) => v.encoding === 'unicode-tags' && v.text.length >= MIN_SMUGGLED_CHARS);
  if (tagViews.length === 0) return null;
  return {
    type: 'PROMPT_INJECTION',
    severity: 'HIGH',
    confidence: 0.85,
    detector: INJECTION_DETECTOR_ID,
    ruleId: 'inj-unicode-tag-smuggling',
    spans: tagViews.map((v) => v.toOriginal(0, v.text.length)),
    owaspId: 'LLM01',
    // AML.T0068 LLM Prompt Obfuscation (tactic: Defense Evasion).
    atlasTechnique: 'AML.T0068',
    description: 'Hidden text encoded in invisible Unicode tag characters (ASCII smuggling).',
  };
}
