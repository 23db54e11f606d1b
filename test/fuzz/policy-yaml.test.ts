/**
 * Policy YAML from outside (files, the control plane, `policy validate`): any text is either a
 * compiled policy set or a PolicyValidationError whose message starts with "FILE:LINE"; never
 * another exception. Inputs: arbitrary text, policy-shaped documents with random values, and
 * the example policies with lines dropped, duplicated, re-indented or spliced with junk.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import { hostileJson, hostileText } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

const env = { BULWARK_HASH_SALT: 'fuzz', FUZZ_KEY: Buffer.alloc(32, 7).toString('base64') };
const examples = ['default.yaml', 'minimal.yaml', 'multi-tenant.yaml'].map((f) => readFileSync(`examples/policies/${f}`, 'utf8'));

const actionName = fc.constantFrom('ALLOW', 'WARN', 'REDACT', 'BLOCK', 'BLOK', '', 'block');
const pattern = fc.oneof(fc.constantFrom('purple\\s+elephant', '(a+)+$', '(a)\\1', '(?=x)y', 'a{1001}', '[', '', '.*', '\\p{L}+', 'x'.repeat(5000)), hostileText);
const customRule = fc.record(
  { id: fc.oneof(fc.constantFrom('r1', 'r2', ''), hostileText), pattern, phrases: fc.array(hostileText, { maxLength: 3 }), action: actionName, severity: fc.constantFrom('LOW', 'HIGH', 'CRITICAL', 'x'), directions: fc.array(fc.constantFrom('INPUT', 'OUTPUT', 'SIDEWAYS'), { maxLength: 3 }), caseSensitive: fc.oneof(fc.boolean(), fc.string()) },
  { requiredKeys: ['id'] },
);
const spec = fc.record(
  {
    customRules: fc.oneof(fc.array(customRule, { maxLength: 3 }), hostileJson),
    threats: fc.dictionary(fc.constantFrom('PII', 'SECRET', 'PROMPT_INJECTION', 'NOPE'), fc.record({ action: fc.oneof(actionName, fc.record({ input: actionName, output: actionName })), minConfidence: fc.oneof(fc.double(), fc.string()) }, { requiredKeys: [] })),
    detectors: fc.dictionary(fc.constantFrom('pii', 'secrets', 'injection', 'toxicity', 'nope'), fc.oneof(fc.record({ enabled: fc.boolean(), entities: fc.array(fc.constantFrom('EMAIL_ADDRESS', 'NOPE', 'PHONE_NUMBER')) }, { requiredKeys: [] }), hostileJson)),
    operators: fc.dictionary(fc.constantFrom('DEFAULT', 'EMAIL_ADDRESS', 'US_SSN'), fc.oneof(fc.constantFrom('hash', 'mask', 'encrypt', 'redact', 'keep', 'nope'), fc.record({ type: fc.constantFrom('replace', 'mask'), newValue: hostileText, maskingChar: fc.string({ maxLength: 2 }), charsToMask: fc.integer() }, { requiredKeys: [] }))),
    allowList: fc.array(pattern, { maxLength: 2 }),
    failMode: fc.constantFrom('open', 'closed', 'ajar'),
    timeBudgetMs: fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.double()),
    encryption: fc.record({ keyEnv: fc.constantFrom('FUZZ_KEY', 'MISSING_KEY') }),
    outputGuards: hostileJson,
    unknownField: hostileJson,
  },
  { requiredKeys: [] },
);
const documentShape = fc.record(
  { apiVersion: fc.constantFrom('bulwark.dev/v1', 'v2'), kind: fc.constantFrom('Policy', 'PolicySettings', 'Other'), metadata: fc.record({ tenant: fc.oneof(fc.constantFrom('acme', 'default'), hostileText), name: fc.constantFrom('default', 'strict', '') }, { requiredKeys: [] }), spec },
  { requiredKeys: ['apiVersion', 'kind'] },
);
const policyDocuments = fc.array(documentShape, { minLength: 1, maxLength: 3 }).map((docs) => docs.map((d) => stringify(d)).join('---\n'));

/** An example policy with line-level damage. */
const mutatedExample = fc
  .tuple(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'duplicate', 'indent', 'dedent', 'junk', 'swap')), { minLength: 1, maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 8 }))
  .map(([text, edits, junk]) => {
    const lines = text.split('\n');
    for (const [at, edit] of edits) {
      const i = at % lines.length;
      const line = lines[i]!;
      if (edit === 'drop') lines.splice(i, 1);
      else if (edit === 'duplicate') lines.splice(i, 0, line);
      else if (edit === 'indent') lines[i] = `  ${line}`;
      else if (edit === 'dedent') lines[i] = line.trimStart();
      else if (edit === 'junk') lines[i] = line.slice(0, at % (line.length + 1)) + junk + line.slice(at % (line.length + 1));
      else if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, line];
    }
    return lines.join('\n');
  });

const yamlTricks = fc.constantFrom(
  'a: &a [*a]',
  'x: &a [1,2]\ny: &b [*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  '!!binary AAAA',
  '? [a, b]\n: c',
  '%YAML 1.2\n---\n',
  'apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  customRules: !!map {}',
  '\ufeffapiVersion: bulwark.dev/v1\nkind: Policy',
  'apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: {tenant: !!int 7}',
  '<<: *undefined',
  '---\n---\n---',
);

function expectPolicyOrLocatedError(text: string): void {
  try {
    const set = parsePolicySet(text, 'fuzz.yaml', env);
    expect(set.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(set.tenants.default?.default).toBeDefined();
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    expect(err.message).toMatch(/^fuzz\.yaml:\d+/);
  }
}

describe('fuzzing policy YAML', () => {
  it('arbitrary text: a policy set or a PolicyValidationError at FILE:LINE', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(fc.property(fc.oneof(hostileText, fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', '{', '&', '*', '!', '|', '>', '"', "'", '#', '?', '%'), maxLength: 120 }), yamlTricks), expectPolicyOrLocatedError), fuzzParams(300));
  });

  it('policy-shaped documents with random values: a policy set or a located error', { timeout: fuzzTimeout(60_000) }, () => {
    fc.assert(fc.property(policyDocuments, expectPolicyOrLocatedError), fuzzParams(120));
  });

  it('the example policies with damaged lines: a policy set or a located error', { timeout: fuzzTimeout(60_000) }, () => {
    fc.assert(fc.property(mutatedExample, expectPolicyOrLocatedError), fuzzParams(120));
  });
});
