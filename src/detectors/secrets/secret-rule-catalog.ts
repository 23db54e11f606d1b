/**
 * Loads the secret rule catalogue (../rules/secret-rules.yaml), validates every entry and
 * compiles it with RE2, once per thread. The catalogue is data: adding a provider format is a
 * YAML entry, not code. See the YAML header for the meaning of each field.
 */
import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { parse as parseYaml } from 'yaml';
import type { SeverityName } from '../types.js';
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

/** The catalogue is shipped with the code; a defect in it is a build error, reported with the rule id. */
export class SecretCatalogError extends Error {
  constructor(source: string, ruleId: string, problem: string) {
    super(`${source}: secret rule "${ruleId}": ${problem}`);
    this.name = 'SecretCatalogError';
  }
}

const SEVERITIES: readonly SeverityName[] = ['HIGH', 'CRITICAL'];
const PLACEHOLDER_LEVELS = ['strict', 'password', 'lenient', 'off'] as const;

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

function valueProfile(raw: unknown): ValueProfile | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'object' || raw === null) throw new Error('value must be a mapping');
  const v = raw as Raw;
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

function compileRule(raw: Raw, priority: number): SecretRule {
  const str = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string' || v.length === 0) throw new Error(`${key} must be a non-empty string`);
    return v;
  };
  const severity = str('severity') as SeverityName;
  if (!SEVERITIES.includes(severity)) throw new Error(`severity must be one of ${SEVERITIES.join(', ')}`);
  const confidence = optionalNumber(raw, 'confidence', Number.NaN);
  if (!(confidence > 0 && confidence <= 1)) throw new Error('confidence must be in (0, 1]');
  const placeholder = (raw.placeholder ?? 'strict') as SecretRule['placeholder'];
  if (!PLACEHOLDER_LEVELS.includes(placeholder)) throw new Error(`placeholder must be one of ${PLACEHOLDER_LEVELS.join(', ')}`);
  const validate = raw.validate === undefined ? null : String(raw.validate);
  if (validate !== null && !isValidatorName(validate)) throw new Error(`unknown validator "${validate}"`);
  const pattern = str('pattern');
  if (raw.lineScoped === true && raw.keywords === undefined) throw new Error('lineScoped needs keywords');
  const secretGroups = groups(raw.secretGroup, [0]);
  const keyGroup = raw.keyGroup === undefined ? null : (groups(raw.keyGroup, [])[0] ?? null);
  const unquotedGroup = raw.unquotedGroup === undefined ? null : (groups(raw.unquotedGroup, [])[0] ?? null);
  return {
    id: str('id'),
    description: str('description'),
    entityType: str('entityType'),
    severity,
    confidence,
    priority,
    regex: new RE2(pattern, 'gd'),
    decodedRegex: raw.decodedViews === true ? new RE2(pattern, 'gdi') : null,
    keywords: keywordList(raw.keywords),
    lowerKeywords: (keywordList(raw.keywords) ?? []).map((k) => k.toLowerCase()),
    lineScoped: raw.lineScoped === true,
    secretGroups,
    bodyGroups: groups(raw.bodyGroup, secretGroups),
    keyGroup,
    keyDeny: typeof raw.keyDeny === 'string' ? new RE2(raw.keyDeny) : null,
    unquotedGroup,
    minEntropy: optionalNumber(raw, 'minEntropy', 0),
    placeholder,
    validate: validate as ValidatorName | null,
    value: valueProfile(raw.value),
  };
}

/** Parses and compiles a catalogue document. Throws {@link SecretCatalogError} naming the rule. */
export function parseSecretRuleCatalog(yamlText: string, source: string): SecretRuleCatalog {
  const doc = parseYaml(yamlText) as { version?: unknown; rules?: unknown };
  if (doc?.version !== 1 || !Array.isArray(doc.rules)) {
    throw new SecretCatalogError(source, '-', 'expected "version: 1" and a "rules" list');
  }
  const seen = new Set<string>();
  const rules = (doc.rules as Raw[]).map((raw, i) => {
    const id = typeof raw?.id === 'string' ? raw.id : `#${i}`;
    if (seen.has(id)) throw new SecretCatalogError(source, id, 'duplicate id');
    seen.add(id);
    try {
      return compileRule(raw, i);
    } catch (err) {
      throw new SecretCatalogError(source, id, err instanceof Error ? err.message : String(err));
    }
  });
  return { rules, candidates: keywordIndex(rules) };
}

/** The shipped catalogue's location, next to the compiled code (`npm run build` copies it). */
export const SECRET_RULES_URL = new URL('../rules/secret-rules.yaml', import.meta.url);

let cached: SecretRuleCatalog | null = null;

/** The shipped catalogue, parsed and compiled once per thread. */
export function loadSecretRuleCatalog(): SecretRuleCatalog {
  cached ??= parseSecretRuleCatalog(readFileSync(SECRET_RULES_URL, 'utf8'), 'secret-rules.yaml');
  return cached;
}
