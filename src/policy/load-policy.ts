/**
 * The policy loader: multi-document YAML text → validated, compiled {@link PolicySet}.
 *
 * Steps: YAML syntax → document shape (strict, see policy-document-schema.ts) → duplicate
 * policies → merge over the built-in default (compile-policy.ts) → patterns compiled with the
 * detectors' own compilers → every detector factory run once. Every problem in the file is
 * reported in one PolicyValidationError, each as "FILE:LINE field.path: message".
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { detectorFactories } from '../detectors/registry.js';
import { compileDefaultPolicy, compilePolicy, type PolicyEnvironment } from './compile-policy.js';
import { CUSTOM_RULES_DETECTOR, detectorConfigKey } from './detector-config-key.js';
import { validateDocument, type DocumentInput, type PolicyDocumentInput } from './policy-document-schema.js';
import { PolicyValidationError } from './policy-error.js';
import { policySetVersion } from './policy-version.js';
import type { CompiledPolicy, PolicySet } from './types.js';
import { validatePolicyPatterns } from './validate-patterns.js';
import { IssueCollector } from './validation-issues.js';
import { DocumentLocator, type FieldPath } from './yaml-locations.js';

/** Aliases may be used for repeated config, but not to blow up memory ("billion laughs"). */
const MAX_ALIAS_EXPANSION = 100;

/** A located problem, ready to print. */
interface LocatedIssue {
  /** For ordering: issues are reported top to bottom. */
  line: number;
  location: string;
  message: string;
}

/** Throws one error listing every issue; its `location` is the first issue's. */
function throwIssues(issues: LocatedIssue[]): never {
  const [first, ...rest] = [...issues].sort((a, b) => a.line - b.line);
  if (!first) throw new PolicyValidationError('invalid policy');
  const more = rest.map((i) => `\n${i.location}: ${i.message}`).join('');
  throw new PolicyValidationError(first.message + more, first.location);
}

function locate(issues: IssueCollector, locator: DocumentLocator): LocatedIssue[] {
  return issues.issues.map((i) => ({
    line: locator.line(i.path, i.at),
    location: locator.location(i.path, i.at),
    message: i.message,
  }));
}

/** YAML syntax errors: "FILE:LINE: message" (the field is unknown when the YAML does not parse). */
function syntaxIssues(doc: Document.Parsed, sourceName: string): LocatedIssue[] {
  return doc.errors.map((e) => {
    const line = e.linePos?.[0]?.line ?? 1;
    const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { line, location: `${sourceName}:${line}`, message: `YAML syntax error: ${message}` };
  });
}

/**
 * Detector configurations a factory already accepted (detector-config-key.ts): building is the
 * slow part of loading, and most policies of a file share their detector settings.
 */
const acceptedDetectorConfigs = new Set<string>();
const MAX_REMEMBERED_CONFIGS = 1024;

/** "detectors.pii.entities" or "customRules[0].pattern" → path segments; undefined when not a field path. */
function parseFieldPath(location: string | undefined): FieldPath | undefined {
  if (!location || !/^[A-Za-z]\w*(?:\.[A-Za-z]\w*|\[\d+\])*$/.test(location)) return undefined;
  return [...location.matchAll(/([A-Za-z]\w*)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
}

/**
 * Runs every detector factory once, so configuration a detector rejects fails at load, not in
 * a worker. A detector names the field it rejects relative to the compiled policy
 * ("detectors.pii.entities"), which is the same path under `spec` in the file.
 */
function validateWithDetectors(policy: CompiledPolicy, issues: IssueCollector): void {
  for (const [name, factory] of detectorFactories) {
    // Custom rules were validated one by one, with their exact locations.
    if (name === CUSTOM_RULES_DETECTOR) continue;
    const key = detectorConfigKey(name, policy);
    if (acceptedDetectorConfigs.has(key)) continue;
    try {
      factory(policy);
      if (acceptedDetectorConfigs.size >= MAX_REMEMBERED_CONFIGS) acceptedDetectorConfigs.clear();
      acceptedDetectorConfigs.add(key);
    } catch (err) {
      if (!(err instanceof PolicyValidationError)) throw err;
      const field = parseFieldPath(err.location);
      const prefix = err.location ? `${err.location}: ` : '';
      const message = prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      issues.add(['spec', ...(field ?? [])], field ? message : `detector "${name}" rejected the policy: ${err.message}`);
    }
  }
}

interface ParsedDocument {
  input: DocumentInput;
  locator: DocumentLocator;
}

/**
 * Parses and compiles a multi-document YAML policy file's text. Throws PolicyValidationError.
 * @param sourceName the name used in error messages (usually the file's base name).
 * @param env where secrets (BULWARK_HASH_SALT, encryption keys) are read from.
 */
export function parsePolicySet(yamlText: string, sourceName: string, env: PolicyEnvironment = process.env): PolicySet {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(yamlText, { lineCounter, prettyErrors: true });
  const problems: LocatedIssue[] = [];
  const parsed: ParsedDocument[] = [];

  for (const doc of Array.isArray(documents) ? documents : []) {
    if (doc.errors.length > 0) {
      problems.push(...syntaxIssues(doc, sourceName));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
    } catch (err) {
      const line = lineCounter.linePos(doc.range[0]).line;
      problems.push({ line, location: `${sourceName}:${line}`, message: (err as Error).message });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document, e.g. a trailing "---"
    const locator = new DocumentLocator(doc, lineCounter, sourceName);
    const issues = new IssueCollector();
    const input = validateDocument(value, issues);
    problems.push(...locate(issues, locator));
    if (input) parsed.push({ input, locator });
  }
  if (problems.length === 0 && parsed.length === 0) {
    // An empty file is almost always a truncated write or a broken mount; loading it would
    // silently replace every policy with the defaults.
    problems.push({ line: 1, location: `${sourceName}:1`, message: 'the file contains no policy documents' });
  }

  const settings = parsed.filter((p) => p.input.kind === 'PolicySettings');
  for (const extra of settings.slice(1)) {
    problems.push({
      line: extra.locator.line(['kind']),
      location: extra.locator.location(['kind']),
      message: `only one PolicySettings document is allowed (the first is at line ${settings[0]?.locator.line(['kind'])})`,
    });
  }
  const unknownTenant = (settings[0]?.input.kind === 'PolicySettings' ? settings[0].input.unknownTenant : undefined) ?? 'default';

  const tenants: Record<string, Record<string, CompiledPolicy>> = {};
  const firstLine = new Map<string, number>();
  for (const { input, locator } of parsed) {
    if (input.kind !== 'Policy') continue;
    const key = `${input.tenant}/${input.name}`;
    const seenAt = firstLine.get(key);
    if (seenAt !== undefined) {
      problems.push({
        line: locator.line(['metadata', 'name']),
        location: locator.location(['metadata', 'name']),
        message: `duplicate policy "${input.name}" for tenant "${input.tenant}" (first defined at line ${seenAt})`,
      });
      continue;
    }
    firstLine.set(key, locator.line(['metadata', 'name']));
    const policy = compileDocument(input, locator, env, problems);
    if (policy) (tenants[input.tenant] ??= {})[input.name] = policy;
  }
  if (problems.length > 0) throwIssues(problems);
  return finishSet(tenants, unknownTenant, env);
}

function compileDocument(
  input: PolicyDocumentInput,
  locator: DocumentLocator,
  env: PolicyEnvironment,
  problems: LocatedIssue[],
): CompiledPolicy | undefined {
  const issues = new IssueCollector();
  const policy = compilePolicy(input, env, issues);
  if (policy) {
    validatePolicyPatterns(policy, issues);
    if (issues.issues.length === 0) validateWithDetectors(policy, issues);
  }
  problems.push(...locate(issues, locator));
  return issues.issues.length === 0 ? policy : undefined;
}

/** Every tenant gets a "default" policy (the built-in one when the file has none); so does tenant "default". */
function finishSet(
  tenants: Record<string, Record<string, CompiledPolicy>>,
  unknownTenant: PolicySet['unknownTenant'],
  env: PolicyEnvironment,
): PolicySet {
  const issues = new IssueCollector();
  tenants.default ??= {};
  for (const [tenant, policies] of Object.entries(tenants)) {
    policies.default ??= compileDefaultPolicy(tenant, env, issues);
  }
  const set = { tenants, unknownTenant };
  return { ...set, version: policySetVersion(set) };
}

/** Reads and compiles a policy file. Throws PolicyValidationError (or a file-system error). */
export function loadPolicySetFromFile(path: string, env: PolicyEnvironment = process.env): PolicySet {
  return parsePolicySet(readFileSync(path, 'utf8'), path, env);
}

/** The built-in default policy set: tenant "default" only; unknown tenants get it. */
export function defaultPolicySet(env: PolicyEnvironment = process.env): PolicySet {
  return finishSet({}, 'default', env);
}
