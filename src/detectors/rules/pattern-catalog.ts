/**
 * Validates and compiles a pattern-rule catalogue (see rule-catalog.ts for the file
 * format) into a {@link PatternRuleSet}. Used by every detector whose rules are
 * "RE2 pattern + finding metadata": injection-rules.yaml, toxicity-lexicon.yaml.
 *
 * Rule fields: id, type, severity, confidence, owasp, atlas, description, pattern
 * (a string or a list of alternatives), optional prefilter, examples, notPrecededBy and
 * signalGroup, plus any extra fields the caller allows. Every example must match both
 * the pattern and the prefilter, or loading fails naming the rule. Optional top-level `signalGroups:` list: id,
 * type, severity, confidence, owasp, atlas, description, minSignals.
 */
import type RE2 from 're2';
import type { SeverityName, ThreatTypeName } from '../types.js';
import { PatternRuleSet, type PatternRule, type SignalGroup } from './pattern-rule-set.js';
import {
  compileRulePattern,
  expandMacros,
  RuleCatalogError,
  RuleReader,
  ruleReaders,
  type RuleCatalog,
} from './rule-catalog.js';

const SEVERITIES: readonly SeverityName[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const OWASP_ID = /^LLM(?:0[1-9]|10)$/;
const ATLAS_ID = /^AML\.T\d{4}(?:\.\d{3})?$/;
const RULE_FIELDS = ['id', 'type', 'severity', 'confidence', 'owasp', 'atlas', 'description', 'pattern'];
const GROUP_FIELDS = ['id', 'type', 'severity', 'confidence', 'owasp', 'atlas', 'description', 'minSignals'];

/** What a detector allows in its catalogue. */
export interface PatternCatalogOptions {
  /** Threat types rules in this catalogue may produce. */
  types: readonly ThreatTypeName[];
  /** Extra rule fields the caller reads itself (e.g. "category"). */
  extraFields?: readonly string[];
}

/** Compiles every rule of `catalog`; any invalid rule throws a RuleCatalogError naming it. */
export function compilePatternCatalog(catalog: RuleCatalog, options: PatternCatalogOptions): PatternRuleSet {
  const groups = readSignalGroups(catalog, options.types);
  const groupIds = new Set(groups.map((g) => g.id));
  const rules = ruleReaders(catalog).map((r): PatternRule => {
    r.allowOnly([
      ...RULE_FIELDS,
      'prefilter',
      'examples',
      'notPrecededBy',
      'signalGroup',
      ...(options.extraFields ?? []),
    ]);
    const source = patternSource(r);
    const regex = compileRulePattern(r, source, 'g');
    const prefilter = r.raw['prefilter'] === undefined ? source : r.pattern('prefilter');
    checkExamples(r, regex, compileRulePattern(r, prefilter, ''));
    const signalGroup = r.optionalString('signalGroup');
    if (signalGroup !== undefined && !groupIds.has(signalGroup)) throw r.error(`unknown signalGroup "${signalGroup}"`);
    const notPrecededBy = r.raw['notPrecededBy'] === undefined ? undefined : r.pattern('notPrecededBy');
    return {
      ...readTemplate(r, options.types),
      prefilter,
      regex,
      ...(notPrecededBy === undefined ? {} : { notPrecededBy: compileRulePattern(r, notPrecededBy, '') }),
      ...(signalGroup === undefined ? {} : { signalGroup }),
    };
  });
  return new PatternRuleSet(rules, groups);
}

/** Each example must match the full pattern and the prefilter (catches a prefilter that is too narrow). */
function checkExamples(r: RuleReader, regex: RE2, prefilter: RE2): void {
  if (r.raw['examples'] === undefined) return;
  r.stringList('examples').forEach((example, i) => {
    regex.lastIndex = 0;
    if (!regex.test(example)) throw r.error(`examples[${i}] does not match the pattern`);
    if (!prefilter.test(example)) throw r.error(`examples[${i}] does not match the prefilter`);
  });
  regex.lastIndex = 0;
}

/** `pattern` is one pattern or a list of alternatives; macros expanded. */
function patternSource(r: RuleReader): string {
  const raw = r.raw['pattern'];
  if (typeof raw === 'string') return r.pattern('pattern');
  const expand = (p: string): string => expandMacros(p, r.catalog.macros, (msg) => r.error(`pattern: ${msg}`));
  return r
    .stringList('pattern')
    .map((p) => `(?:${expand(p)})`)
    .join('|');
}

function readTemplate(r: RuleReader, types: readonly ThreatTypeName[]) {
  const owaspId = r.string('owasp');
  if (!OWASP_ID.test(owaspId)) throw r.error('owasp must be an OWASP LLM Top 10 id such as LLM01');
  const atlasTechnique = r.string('atlas');
  if (!ATLAS_ID.test(atlasTechnique)) throw r.error('atlas must be a MITRE ATLAS technique id such as AML.T0051');
  return {
    id: r.id,
    type: r.oneOf('type', types),
    severity: r.oneOf('severity', SEVERITIES),
    confidence: r.number('confidence', 0, 1),
    owaspId,
    atlasTechnique,
    description: r.string('description'),
  };
}

function readSignalGroups(catalog: RuleCatalog, types: readonly ThreatTypeName[]): SignalGroup[] {
  const raw = catalog.sections['signalGroups'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new RuleCatalogError(catalog.fileName, 'signalGroups must be a list');
  return raw.map((g, i) => {
    if (typeof g !== 'object' || g === null || typeof (g as { id?: unknown }).id !== 'string') {
      throw new RuleCatalogError(catalog.fileName, `signalGroups[${i}] must be a mapping with a string id`);
    }
    const r = new RuleReader(catalog, g as Record<string, unknown>);
    r.allowOnly(GROUP_FIELDS);
    return { ...readTemplate(r, types), minSignals: r.number('minSignals', 1, 100) };
  });
}
