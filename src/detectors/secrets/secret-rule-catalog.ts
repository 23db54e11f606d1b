/**
 * Compiles the secret rule catalogue (../rules/secret-rules.yaml, read by the shared loader in
 * ../rules/rule-catalog.ts) once per thread: every field validated, every pattern compiled with
 * RE2. The catalogue is data: adding a provider format is a YAML entry, not code. See the YAML
 * header for the meaning of each field.
 */
import RE2 from 're2';
import type { SeverityName } from '../types.js';
import {
  compileRulePattern,
  loadRuleCatalog,
  parseRuleCatalog,
  ruleReaders,
  type RuleCatalog,
  type RuleReader,
} from '../rules/rule-catalog.js';
import type { PlaceholderLevel } from './placeholder-filter.js';
import { isValidatorName, type ValidatorName } from './validators.js';

type RE2Set = InstanceType<typeof RE2.Set>;

export type ValueShape = 'email' | 'url' | 'ip' | 'hex-literal' | 'path' | 'number' | 'code';
const SHAPES: readonly ValueShape[] = ['email', 'url', 'ip', 'hex-literal', 'path', 'number', 'code'];

/** Checks for free-form values (passwords, generic secrets); absent fields do not constrain. */
export interface ValueProfile {
  minLength: number;
  maxLength: number;
  maxWords: number;
  minClasses: number;
  shortBelow: number;
  shortMinClasses: number;
  unquotedMinClasses: number;
  digitOrLength: number;
  rejectShapes: readonly ValueShape[];
}

/** One compiled rule. */
export interface SecretRule {
  readonly id: string;
  readonly description: string;
  readonly entityType: string;
  readonly severity: SeverityName;
  readonly confidence: number;
  /** Position in the catalogue: on overlap, the lower one wins. */
  readonly priority: number;
  /** The pattern, compiled with flags "gd" (global, match indices; node-re2 is always Unicode). */
  readonly regex: RE2;
  /** Literal substrings (case-insensitive), one of which must occur for the rule to run; null = always run. */
  readonly keywords: readonly string[] | null;
  /** The same keywords in lower case (for locating them). */
  readonly lowerKeywords: readonly string[];
  /** Run only on the lines that contain a keyword (the pattern never spans lines). */
  readonly lineScoped: boolean;
  /** Case-insensitive variant for decoded views (which are normalised to lower case), if enabled. */
  readonly decodedRegex: RE2 | null;
  readonly secretGroups: readonly number[];
  readonly bodyGroups: readonly number[];
  readonly keyGroup: number | null;
  readonly keyDeny: RE2 | null;
  readonly unquotedGroup: number | null;
  /** Capture group holding the host a URI's credentials are for (documentation addresses are examples). */
  readonly hostGroup: number | null;
  readonly minEntropy: number;
  readonly placeholder: PlaceholderLevel | 'off';
  readonly validate: ValidatorName | null;
  readonly value: ValueProfile | null;
}

export interface SecretRuleCatalog {
  readonly rules: readonly SecretRule[];
  /**
   * The rules that can match a text, given the text with ASCII letters lower-cased: one
   * RE2.Set pass over every rule's keywords (lower-case literals: a small, fast DFA; about
   * 15 µs per KB, where a set of the full patterns took ~500 µs), plus the rules without
   * keywords. Sorted by priority. With `decodedOnly`, only rules enabled for decoded views.
   */
  candidates(lowerText: string, decodedOnly: boolean): SecretRule[];
}

const SEVERITIES: readonly SeverityName[] = ['HIGH', 'CRITICAL'];
const PLACEHOLDER_LEVELS: readonly SecretRule['placeholder'][] = ['strict', 'password', 'literal', 'lenient', 'off'];

type Raw = Record<string, unknown>;

function groups(raw: unknown, fallback: readonly number[]): number[] {
  if (raw === undefined) return [...fallback];
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((g) => Number.isInteger(g) && (g as number) >= 0)) throw new Error('group indices must be integers >= 0');
  return list as number[];
}

function optionalNumber(raw: Raw, key: string, fallback: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key} must be a number`);
  return v;
}

const VALUE_FIELDS = [
  'minLength', 'maxLength', 'maxWords', 'minClasses', 'shortBelow', 'shortMinClasses', 'unquotedMinClasses', 'digitOrLength',
  'rejectShapes',
];

function valueProfile(raw: unknown): ValueProfile | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'object' || raw === null) throw new Error('value must be a mapping');
  const v = raw as Raw;
  const unknown = Object.keys(v).filter((k) => !VALUE_FIELDS.includes(k));
  if (unknown.length > 0) throw new Error(`unknown value field "${unknown[0]}"`);
  const shapes = (v.rejectShapes ?? []) as unknown[];
  if (!Array.isArray(shapes) || !shapes.every((s) => SHAPES.includes(s as ValueShape))) {
    throw new Error(`value.rejectShapes must be a list of ${SHAPES.join(', ')}`);
  }
  return {
    minLength: optionalNumber(v, 'minLength', 1),
    maxLength: optionalNumber(v, 'maxLength', Number.POSITIVE_INFINITY),
    maxWords: optionalNumber(v, 'maxWords', Number.POSITIVE_INFINITY),
    minClasses: optionalNumber(v, 'minClasses', 0),
    shortBelow: optionalNumber(v, 'shortBelow', 0),
    shortMinClasses: optionalNumber(v, 'shortMinClasses', 0),
    unquotedMinClasses: optionalNumber(v, 'unquotedMinClasses', 0),
    digitOrLength: optionalNumber(v, 'digitOrLength', 0),
    rejectShapes: shapes as ValueShape[],
  };
}

function keywordList(raw: unknown): string[] | null {
  if (raw === undefined) return null;
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((k) => typeof k === 'string' && k.length > 0)) {
    throw new Error('keywords must be a non-empty list of non-empty strings');
  }
  return raw as string[];
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** Builds the keyword prefilter: one RE2.Set of literals, each mapped back to its rules. */
function keywordIndex(rules: readonly SecretRule[]): SecretRuleCatalog['candidates'] {
  const literals: string[] = [];
  const owners: number[][] = [];
  const position = new Map<string, number>();
  const always: number[] = [];
  rules.forEach((rule, ruleIndex) => {
    if (rule.keywords === null) {
      always.push(ruleIndex);
      return;
    }
    for (const keyword of rule.keywords) {
      const key = keyword.toLowerCase();
      let at = position.get(key);
      if (at === undefined) {
        at = literals.length;
        position.set(key, at);
        literals.push(escapeLiteral(key));
        owners.push([]);
      }
      owners[at]?.push(ruleIndex);
    }
  });
  const set: RE2Set | null = literals.length > 0 ? new RE2.Set(literals) : null;
  return (lowerText, decodedOnly) => {
    const hit = new Set<number>(always);
    if (set !== null) for (const k of set.match(lowerText)) for (const r of owners[k] ?? []) hit.add(r);
    return [...hit]
      .sort((a, b) => a - b)
      .map((i) => rules[i] as SecretRule)
      .filter((r) => !decodedOnly || r.decodedRegex !== null);
  };
}

const RULE_FIELDS = [
  'id', 'description', 'entityType', 'severity', 'confidence', 'pattern', 'keywords', 'secretGroup', 'bodyGroup',
  'keyGroup', 'keyDeny', 'unquotedGroup', 'hostGroup', 'minEntropy', 'placeholder', 'validate', 'value', 'decodedViews', 'lineScoped',
];

function optionalGroup(r: RuleReader, key: string): number | null {
  return r.raw[key] === undefined ? null : (groups(r.raw[key], [])[0] ?? null);
}

function compileRule(r: RuleReader, priority: number): SecretRule {
  r.allowOnly(RULE_FIELDS);
  try {
    const validate = r.optionalString('validate') ?? null;
    if (validate !== null && !isValidatorName(validate)) throw new Error(`unknown validator "${validate}"`);
    const pattern = r.pattern('pattern');
    const keywords = keywordList(r.raw.keywords);
    if (r.raw.lineScoped === true && keywords === null) throw new Error('lineScoped needs keywords');
    const secretGroups = groups(r.raw.secretGroup, [0]);
    return {
      id: r.id,
      description: r.string('description'),
      entityType: r.string('entityType'),
      severity: r.oneOf('severity', SEVERITIES),
      confidence: r.number('confidence', 0.01, 1),
      priority,
      regex: compileRulePattern(r, pattern, 'gd'),
      decodedRegex: r.raw.decodedViews === true ? compileRulePattern(r, pattern, 'gdi') : null,
      keywords,
      lowerKeywords: (keywords ?? []).map((k) => k.toLowerCase()),
      lineScoped: r.raw.lineScoped === true,
      secretGroups,
      bodyGroups: groups(r.raw.bodyGroup, secretGroups),
      keyGroup: optionalGroup(r, 'keyGroup'),
      keyDeny: r.raw.keyDeny === undefined ? null : compileRulePattern(r, r.pattern('keyDeny'), ''),
      unquotedGroup: optionalGroup(r, 'unquotedGroup'),
      hostGroup: optionalGroup(r, 'hostGroup'),
      minEntropy: r.raw.minEntropy === undefined ? 0 : r.number('minEntropy', 0, 8),
      placeholder: r.raw.placeholder === undefined ? 'strict' : r.oneOf('placeholder', PLACEHOLDER_LEVELS),
      validate,
      value: valueProfile(r.raw.value),
    };
  } catch (err) {
    throw err instanceof Error && err.name === 'RuleCatalogError' ? err : r.error((err as Error).message);
  }
}

/** Compiles a loaded catalogue. Throws a RuleCatalogError naming the file and the rule. */
export function compileSecretRuleCatalog(catalog: RuleCatalog): SecretRuleCatalog {
  const rules = ruleReaders(catalog).map((r, i) => compileRule(r, i));
  return { rules, candidates: keywordIndex(rules) };
}

/** Parses and compiles catalogue text (tests; the shipped file goes through {@link loadSecretRuleCatalog}). */
export function parseSecretRuleCatalog(yamlText: string, fileName = 'secret-rules.yaml'): SecretRuleCatalog {
  return compileSecretRuleCatalog(parseRuleCatalog(fileName, yamlText));
}

let cached: SecretRuleCatalog | null = null;

/** The shipped catalogue, parsed and compiled once per thread. */
export function loadSecretRuleCatalog(): SecretRuleCatalog {
  cached ??= compileSecretRuleCatalog(loadRuleCatalog('secret-rules.yaml'));
  return cached;
}
