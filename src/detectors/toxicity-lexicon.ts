/**
 * Toxicity detector, v1: a conservative lexicon (rules/toxicity-lexicon.yaml) of
 * threats, identity slurs, harassment and strong profanity, matched as whole words on
 * the normalised and decoded views. Severity and confidence come from each entry's
 * category. A trained classifier is meant to replace it; this one is cheap, exact
 * about spans, and measured (bench numbers in the detector's report).
 *
 * The lexicon is read and compiled once per process when this module is imported, so
 * a broken file stops startup with an error naming the entry.
 */
import { compilePatternCatalog } from './rules/pattern-catalog.js';
import type { PatternRuleSet } from './rules/pattern-rule-set.js';
import { loadRuleCatalog, ruleReaders } from './rules/rule-catalog.js';
import type { Detector, DetectorFactory, DetectorInput, Finding } from './types.js';

/** The detector id reported in findings. */
export const TOXICITY_DETECTOR_ID = 'toxicity-lexicon';
/** The lexicon, next to rules/rule-catalog.ts. */
export const TOXICITY_LEXICON_FILE = 'toxicity-lexicon.yaml';

const CATEGORIES = ['threat', 'identity-hate', 'slur-mild', 'harassment', 'profanity'] as const;

function compileLexicon(): PatternRuleSet {
  const catalog = loadRuleCatalog(TOXICITY_LEXICON_FILE);
  for (const r of ruleReaders(catalog)) r.oneOf('category', CATEGORIES);
  return compilePatternCatalog(catalog, { types: ['TOXICITY'], extraFields: ['category'] });
}

/** Compiled once per process; see the module comment. */
const LEXICON: PatternRuleSet = compileLexicon();

/** Builds the detector, or null when the policy switches toxicity detection off. */
export const createToxicityDetector: DetectorFactory = (policy) => {
  if (!policy.detectors.toxicity.enabled) return null;
  return new ToxicityDetector(LEXICON);
};

class ToxicityDetector implements Detector {
  readonly id = TOXICITY_DETECTOR_ID;
  readonly produces = ['TOXICITY'] as const;

  constructor(private readonly lexicon: PatternRuleSet) {}

  detect(input: DetectorInput): Finding[] {
    // The lexicon is written for the normalised text; the original view adds nothing.
    return this.lexicon.findings(
      this.id,
      input.text.views.filter((v) => v.kind !== 'original'),
    );
  }
}
