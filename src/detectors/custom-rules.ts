/**
 * Custom guardrail rules: tenant-written RE2 patterns and deny-listed phrases.
 *
 * Where each kind of rule looks (a security decision):
 * - `pattern` rules run on the ORIGINAL text. When case-insensitive (the default) they also run
 *   on the NORMALISED view and on decoded runs (base64/hex/URL found in the text, which the
 *   normaliser also normalises), so that obfuscation the normaliser undoes (homoglyphs,
 *   zero-width characters, full-width letters, encodings) does not evade a deny rule. A
 *   case-sensitive rule runs on the original only: normalisation lower-cases and folds
 *   characters the author deliberately distinguished.
 * - `phrases` are matched case-insensitively as whole words on the normalised view (the
 *   original when there is none) and on decoded runs. Whitespace inside a phrase matches any run
 *   of whitespace.
 * Spans are always mapped back to the original content; decoded-view spans cover the whole
 * encoded run. Patterns are compiled with RE2 only (never JS RegExp): linear time, no lookaround,
 * no backreferences.
 */
import RE2 from 're2';
import type { CustomRuleSpec, CompiledPolicy } from '../policy/types.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { Detector, DetectorFactory, DetectorInput, DirectionName, Finding, TextSpan, TextView } from './types.js';
import { UserPatternError, allMatchSpans, compileUserPattern } from './user-pattern.js';

type RE2Set = InstanceType<typeof RE2.Set>;

/** Upper bound on spans reported per rule and scan: keeps responses small on adversarial input. */
const MAX_SPANS_PER_RULE = 100;
const MAX_PHRASES_PER_RULE = 1000;
const MAX_PHRASE_LENGTH = 256;

/** One custom rule, compiled. */
export interface CompiledCustomRule {
  readonly spec: CustomRuleSpec;
  /** Global RE2 (with match indices) that finds the rule's matches. */
  readonly regex: RE2;
  /** Phrase rules report the phrase group, not the whole match (which includes word boundaries). */
  readonly isPhraseRule: boolean;
  /** Which views the rule looks at. */
  readonly onOriginal: boolean;
  readonly onNormalized: boolean;
  readonly onDecoded: boolean;
}

/** All custom rules of a policy, compiled, plus a prefilter over all of them. */
export interface CompiledCustomRules {
  readonly rules: readonly CompiledCustomRule[];
  /** One RE2.Set over every rule: a view only runs the rules the set says can match. */
  readonly prefilter: RE2Set | null;
}

/** Escapes RE2 metacharacters so a phrase is matched literally. */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A character that counts as part of a word for whole-word phrase matching. */
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NOT_WORD_CLASS = '[^\\p{L}\\p{N}_]';

/**
 * Builds one RE2 source for a phrase list. Each alternative captures its phrase in its own group,
 * bounded by a non-word character (or the text's edge) on each side where the phrase starts/ends
 * with a word character. RE2 has no lookaround and its `\b` is ASCII-only, so the boundary
 * characters are consumed and the span is taken from whichever group matched.
 */
function phrasesSource(phrases: readonly string[]): string {
  if (phrases.length === 0) throw new UserPatternError('phrases is empty');
  if (phrases.length > MAX_PHRASES_PER_RULE) throw new UserPatternError(`more than ${MAX_PHRASES_PER_RULE} phrases`);
  const alternatives = phrases.map((raw, i) => {
    const phrase = raw.trim();
    if (phrase.length === 0) throw new UserPatternError(`phrase ${i} is empty`);
    if (phrase.length > MAX_PHRASE_LENGTH) {
      throw new UserPatternError(`phrase ${i} is longer than ${MAX_PHRASE_LENGTH} characters`);
    }
    const body = phrase.split(/\s+/).map(escapeLiteral).join('\\s+');
    const left = WORD_CHAR.test(phrase.charAt(0)) ? `(?:^|${NOT_WORD_CLASS})` : '';
    const right = WORD_CHAR.test(phrase.charAt(phrase.length - 1)) ? `(?:$|${NOT_WORD_CLASS})` : '';
    return `${left}(${body})${right}`;
  });
  return `(?i)(?:${alternatives.join('|')})`;
}

function compileOne(spec: CustomRuleSpec, index: number): CompiledCustomRule {
  const where = `customRules[${index}]`;
  const hasPattern = typeof spec.pattern === 'string';
  const hasPhrases = Array.isArray(spec.phrases);
  if (hasPattern === hasPhrases) {
    throw new PolicyValidationError(`custom rule "${spec.id}": exactly one of "pattern" or "phrases" must be set`, where);
  }
  if (spec.directions.length === 0) {
    throw new PolicyValidationError(
      `custom rule "${spec.id}": directions is empty, so the rule would never run`,
      `${where}.directions`,
    );
  }
  const field = hasPattern ? 'pattern' : 'phrases';
  try {
    if (hasPattern) {
      const regex = compileUserPattern(spec.pattern as string, spec.caseSensitive ? 'gd' : 'gdi');
      checkPrefilterSource(regex);
      return { spec, regex, isPhraseRule: false, onOriginal: true, onNormalized: !spec.caseSensitive, onDecoded: !spec.caseSensitive };
    }
    const regex = compileUserPattern(phrasesSource(spec.phrases as string[]), 'gd');
    return { spec, regex, isPhraseRule: true, onOriginal: false, onNormalized: true, onDecoded: true };
  } catch (err) {
    if (err instanceof UserPatternError) {
      throw new PolicyValidationError(`custom rule "${spec.id}": ${field} is invalid: ${err.reason}`, `${where}.${field}`);
    }
    throw err;
  }
}

/**
 * Validates and compiles a policy's custom rules. Used by the policy loader (validation at the
 * edge) and by the detector factory (in every worker thread).
 * @throws PolicyValidationError naming the rule id and the reason (lookaround, backreference,
 *   invalid syntax, empty-string match, duplicate id, no pattern/phrases, no directions).
 */
export function compileCustomRules(specs: readonly CustomRuleSpec[]): CompiledCustomRules {
  const seen = new Set<string>();
  const rules = specs.map((spec, i) => {
    if (seen.has(spec.id)) {
      throw new PolicyValidationError(`custom rule "${spec.id}": duplicate rule id`, `customRules[${i}].id`);
    }
    seen.add(spec.id);
    return compileOne(spec, i);
  });
  if (rules.length === 0) return { rules, prefilter: null };
  try {
    return { rules, prefilter: new RE2.Set(rules.map((r) => prefilterSource(r.regex))) };
  } catch (err) {
    // Each source compiled on its own above: only their combined size can fail here.
    throw new PolicyValidationError(`the custom rules together are too large for RE2 (${err instanceof Error ? err.message : String(err)})`, 'customRules');
  }
}

/** A rule's source in the prefilter set: the set has one flag set, so case-insensitivity goes inline. */
function prefilterSource(regex: RE2): string {
  return regex.flags.includes('i') ? `(?i:${regex.source})` : regex.source;
}

/**
 * The inline-flag group must compile too: `\Q` without `\E` is valid RE2 on its own, but quotes
 * the group's closing parenthesis (found by fuzzing: it escaped as a raw SyntaxError at load).
 */
function checkPrefilterSource(regex: RE2): void {
  try {
    new RE2(prefilterSource(regex));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserPatternError(/\\Q/.test(regex.source) ? `close every \\Q quote with \\E (${reason})` : `invalid RE2 syntax (${reason})`);
  }
}

function appliesTo(rule: CompiledCustomRule, view: TextView, hasNormalized: boolean): boolean {
  switch (view.kind) {
    case 'decoded':
      return rule.onDecoded;
    case 'normalized':
      return rule.onNormalized;
    case 'original':
      // Phrase rules fall back to the original when the normaliser produced no normalised view.
      return rule.onOriginal || (rule.onNormalized && !hasNormalized);
  }
}

/** Spans of one rule in one view, mapped to the original content. */
function ruleSpans(rule: CompiledCustomRule, view: TextView): TextSpan[] {
  if (!rule.isPhraseRule) {
    return allMatchSpans(rule.regex, view.text, MAX_SPANS_PER_RULE).map((s) => view.toOriginal(s.start, s.end));
  }
  // The reported span is the phrase group that matched; the next search restarts right after it
  // so that one boundary character can serve two adjacent phrases ("spam spam").
  const spans: TextSpan[] = [];
  const re = rule.regex;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (spans.length < MAX_SPANS_PER_RULE && (m = re.exec(view.text)) !== null) {
    const group = m.indices?.slice(1).find((g) => g !== undefined);
    if (group === undefined) break;
    spans.push(view.toOriginal(group[0], group[1]));
    re.lastIndex = group[1];
  }
  re.lastIndex = 0;
  return spans;
}

function dedupeSpans(spans: TextSpan[]): TextSpan[] {
  const key = (s: TextSpan): string => `${s.start}:${s.end}`;
  const unique = new Map(spans.map((s) => [key(s), s] as const));
  return [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

function toFinding(spec: CustomRuleSpec, spans: TextSpan[]): Finding {
  return {
    type: 'CUSTOM_RULE',
    severity: spec.severity,
    confidence: 1,
    detector: 'custom-rules',
    ruleId: spec.id,
    spans,
    // A tenant's own guardrail: it controls what may enter or leave the model, closest to LLM01.
    owaspId: 'LLM01',
    atlasTechnique: '',
    description: spec.description ?? `Custom rule "${spec.id}" matched`,
    action: spec.action,
  };
}

/** Runs compiled rules over one scan's views; one finding per matching rule, in policy order. */
export function runCustomRules(compiled: CompiledCustomRules, input: DetectorInput): Finding[] {
  const { prefilter, rules } = compiled;
  if (prefilter === null) return [];
  const views = input.text.views;
  const hasNormalized = views.some((v) => v.kind === 'normalized');
  const spansByRule = new Map<number, TextSpan[]>();
  for (const view of views) {
    for (const index of prefilter.match(view.text)) {
      const rule = rules[index];
      if (rule === undefined || !rule.spec.directions.includes(input.direction)) continue;
      if (!appliesTo(rule, view, hasNormalized)) continue;
      const found = ruleSpans(rule, view);
      if (found.length > 0) spansByRule.set(index, [...(spansByRule.get(index) ?? []), ...found]);
    }
  }
  return [...spansByRule.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, spans]) => toFinding((rules[index] as CompiledCustomRule).spec, dedupeSpans(spans).slice(0, MAX_SPANS_PER_RULE)));
}

function directionsUsed(rules: readonly CompiledCustomRule[]): Set<DirectionName> {
  return new Set(rules.flatMap((r) => r.spec.directions));
}

/** Builds the custom-rule detector for a policy, or null when it has no custom rules. */
export const createCustomRuleDetector: DetectorFactory = (policy: CompiledPolicy): Detector | null => {
  if (policy.customRules.length === 0) return null;
  const compiled = compileCustomRules(policy.customRules);
  const directions = directionsUsed(compiled.rules);
  return {
    id: 'custom-rules',
    produces: ['CUSTOM_RULE'],
    detect: (input) => (directions.has(input.direction) ? runCustomRules(compiled, input) : []),
  };
};
