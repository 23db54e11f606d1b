/**
 * Loads curated rule catalogues (YAML files next to this module) and offers the small
 * helpers each detector uses to validate its own rules.
 *
 * File format (every catalogue):
 * ```yaml
 * version: 1
 * macros:            # optional: named RE2 fragments, used in patterns as {{name}}
 *   verb: '(?:ignore|disregard)'
 * rules:             # required: a list of mappings, each with a unique string `id`
 *   - id: inj-example
 *     pattern: '\b{{verb}}\b'
 * # any other top-level key is kept in `sections` for the detector to interpret
 * ```
 * The loader checks only the shape shared by all catalogues; each detector validates
 * its rules' fields with {@link RuleReader} (which names the file and rule in every
 * error) and compiles patterns with {@link compileRulePattern}. A bad catalogue is a
 * {@link RuleCatalogError} at startup, never a silent skip.
 *
 * Files are read relative to `import.meta.url`, so the same code works from `src/`
 * (tsx, vitest) and from `dist/` (the build copies `.yaml` files next to the `.js`).
 */
import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { parse } from 'yaml';

/** A rule catalogue is malformed. The message names the file and, where known, the rule. */
export class RuleCatalogError extends Error {
  constructor(
    readonly fileName: string,
    message: string,
    readonly ruleId?: string,
  ) {
    super(`${fileName}${ruleId === undefined ? '' : ` rule "${ruleId}"`}: ${message}`);
    this.name = 'RuleCatalogError';
  }
}

/** A parsed, shape-checked catalogue; rule fields are validated by each detector. */
export interface RuleCatalog {
  fileName: string;
  /** Macro name → RE2 fragment, already expanded (macros may use earlier macros). */
  macros: Readonly<Record<string, string>>;
  /** The raw rules: each a mapping with a unique string `id` (not otherwise checked). */
  rules: ReadonlyArray<Record<string, unknown>>;
  /** Every other top-level key of the file, raw. */
  sections: Readonly<Record<string, unknown>>;
}

const FILE_NAME = /^[a-z0-9][a-z0-9._-]*\.ya?ml$/;
const cache = new Map<string, RuleCatalog>();

/**
 * Reads and checks a catalogue from this directory (once per process; later calls
 * return the cached result). `fileName` is a bare file name such as "injection-rules.yaml".
 */
export function loadRuleCatalog(fileName: string): RuleCatalog {
  const cached = cache.get(fileName);
  if (cached !== undefined) return cached;
  if (!FILE_NAME.test(fileName)) throw new RuleCatalogError(fileName, 'not a plain catalogue file name');
  let source: string;
  try {
    source = readFileSync(new URL(fileName, import.meta.url), 'utf8');
  } catch (err) {
    throw new RuleCatalogError(fileName, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const catalog = parseRuleCatalog(fileName, source);
  cache.set(fileName, catalog);
  return catalog;
}

/** Parses and checks catalogue text (pure; used by {@link loadRuleCatalog} and tests). */
export function parseRuleCatalog(fileName: string, source: string): RuleCatalog {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (err) {
    throw new RuleCatalogError(fileName, `invalid YAML: ${(err as Error).message}`);
  }
  if (!isMapping(doc)) throw new RuleCatalogError(fileName, 'top level must be a mapping');
  const { version, macros: rawMacros, rules: rawRules, ...sections } = doc;
  if (version !== 1) throw new RuleCatalogError(fileName, 'version must be 1');

  const macros: Record<string, string> = {};
  if (rawMacros !== undefined) {
    if (!isMapping(rawMacros)) throw new RuleCatalogError(fileName, 'macros must be a mapping');
    for (const [name, value] of Object.entries(rawMacros)) {
      if (!MACRO_NAME.test(name)) throw new RuleCatalogError(fileName, `macro name "${name}" is not [a-z0-9_]+`);
      if (typeof value !== 'string') throw new RuleCatalogError(fileName, `macro "${name}" must be a string`);
      macros[name] = expandMacros(value, macros, (msg) => new RuleCatalogError(fileName, `macro "${name}": ${msg}`));
    }
  }

  if (!Array.isArray(rawRules) || rawRules.length === 0) {
    throw new RuleCatalogError(fileName, 'rules must be a non-empty list');
  }
  const seen = new Set<string>();
  const rules = rawRules.map((rule, index) => {
    if (!isMapping(rule)) throw new RuleCatalogError(fileName, `rules[${index}] must be a mapping`);
    const id = rule['id'];
    if (typeof id !== 'string' || !RULE_ID.test(id)) {
      throw new RuleCatalogError(fileName, `rules[${index}].id must match ${RULE_ID.source}`);
    }
    if (seen.has(id)) throw new RuleCatalogError(fileName, 'duplicate id', id);
    seen.add(id);
    return rule;
  });
  return { fileName, macros, rules, sections };
}

const MACRO_NAME = /^[a-z0-9_]+$/;
const MACRO_USE = /\{\{([a-z0-9_]+)\}\}/g;
const RULE_ID = /^[a-z0-9][a-z0-9.-]*$/;

/** Replaces every `{{name}}` in `pattern` with its macro; an unknown name is an error. */
export function expandMacros(
  pattern: string,
  macros: Readonly<Record<string, string>>,
  error: (message: string) => Error,
): string {
  return pattern.replace(MACRO_USE, (_, name: string) => {
    const value = macros[name];
    if (value === undefined) throw error(`unknown macro {{${name}}}`);
    return value;
  });
}

/** Typed, error-naming access to one raw rule's fields. */
export class RuleReader {
  readonly id: string;

  constructor(
    readonly catalog: RuleCatalog,
    readonly raw: Readonly<Record<string, unknown>>,
  ) {
    this.id = raw['id'] as string;
  }

  /** An error that names the file and this rule. */
  error(message: string): RuleCatalogError {
    return new RuleCatalogError(this.catalog.fileName, message, this.id);
  }

  string(key: string): string {
    const v = this.raw[key];
    if (typeof v !== 'string' || v.trim() === '') throw this.error(`${key} must be a non-empty string`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.raw[key] === undefined ? undefined : this.string(key);
  }

  number(key: string, min: number, max: number): number {
    const v = this.raw[key];
    if (typeof v !== 'number' || !(v >= min && v <= max)) throw this.error(`${key} must be a number in [${min}, ${max}]`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.raw[key];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw this.error(`${key} must be one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  stringList(key: string): string[] {
    const v = this.raw[key];
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s !== '')) {
      throw this.error(`${key} must be a non-empty list of strings`);
    }
    return v as string[];
  }

  /** Rejects keys this catalogue does not know (catches typos such as "serverity"). */
  allowOnly(keys: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!keys.includes(key)) throw this.error(`unknown field "${key}"`);
    }
  }

  /** The field as an RE2 pattern with macros expanded (not compiled). */
  pattern(key: string): string {
    return expandMacros(this.string(key), this.catalog.macros, (msg) => this.error(`${key}: ${msg}`));
  }
}

/** Every rule of a catalogue as a {@link RuleReader}. */
export function ruleReaders(catalog: RuleCatalog): RuleReader[] {
  return catalog.rules.map((raw) => new RuleReader(catalog, raw));
}

/**
 * Compiles a rule pattern with RE2, turning a syntax error into a {@link RuleCatalogError}
 * that names the rule.
 */
export function compileRulePattern(reader: RuleReader, pattern: string, flags: string): RE2 {
  try {
    return new RE2(pattern, flags);
  } catch (err) {
    throw reader.error(`pattern does not compile with RE2: ${(err as Error).message}`);
  }
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
