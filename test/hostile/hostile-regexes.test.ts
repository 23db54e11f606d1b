/**
 * Catastrophic and unsupported patterns in custom rules. Constructs RE2 cannot run in linear
 * time (backreferences, lookaround) are refused at load with an error naming the file, line and
 * rule; the classic ReDoS shapes RE2 does accept ((a+)+$, (a|aa)*b, nested stars) compile and
 * run through a real sidecar over a megabyte of "a" without hanging. The scan-engine test below
 * asserts completion only; nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { HostMatcher, canonicalHostPattern } from '../../src/actions/host-names.js';
import { ScanEngine } from '../../src/engine/scan-engine.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { scanClient, type ScanClient } from '../helpers/scan-client.js';
import { startTestSidecar } from '../sidecar/sidecar-fixture.js';

const env = { BULWARK_HASH_SALT: 'hostile' };
const MIB = 1024 * 1024;

/** A policy whose custom rules are the given patterns (YAML single-quoted). */
function rulesPolicy(patterns: string[], extra = ''): string {
  const rules = patterns.map((p, i) => `    - id: rule-${i}\n      pattern: '${p.replace(/'/g, "''")}'\n      action: BLOCK\n`).join('');
  return `apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n${extra}  customRules:\n${rules}`;
}

function loadError(yaml: string): PolicyValidationError {
  try {
    parsePolicySet(yaml, 'rules.yaml', env);
  } catch (err) {
    if (err instanceof PolicyValidationError) return err;
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

/** ReDoS classics for backtracking engines; RE2 runs them in linear time. */
const CATASTROPHIC = ['(a+)+$', '(a|aa)*b', '(a*)*b', '(.*a){12}x', '^(a|a?)+b$', '(\\w+\\s?)+$', '([a-zA-Z]+)*!'];

describe('hostile regexes in custom rules', () => {
  it.each([
    ['a backreference', '(a)\\1', /backreferences are not supported by RE2/],
    ['a lookahead', '(?=a)b', /lookahead and lookbehind are not supported by RE2/],
    ['a lookbehind', '(?<!x)a', /lookahead and lookbehind are not supported by RE2/],
    ['a repetition over 1000', 'a{1001}', /repetition counts above 1000/],
    ['broken syntax', '(a', /invalid RE2 syntax/],
    ['an empty-string match', 'a*', /matches the empty string/],
    ['a 5000-character pattern', 'x'.repeat(5000), /longer than 4096 characters/],
  ])('%s is refused at load, naming the file, line and rule', (_label, pattern, reason) => {
    const err = loadError(rulesPolicy(['safe', pattern]));
    expect(err.message).toMatch(/^rules\.yaml:9 spec\.customRules\[1\]\.pattern: custom rule "rule-1": pattern is invalid: /);
    expect(err.message).toMatch(reason);
  });

  it('regression: \\Q without \\E (valid alone, broken inside the case-insensitive prefilter) is refused with a PolicyValidationError, not a raw SyntaxError', () => {
    const err = loadError(rulesPolicy(['\\Qa.b']));
    expect(err.message).toMatch(/^rules\.yaml:6 spec\.customRules\[0\]\.pattern: custom rule "rule-0": pattern is invalid: close every \\Q quote with \\E/);
    // Case-sensitive rules need no inline flag group, and a closed quote is fine either way.
    expect(() => parsePolicySet(rulesPolicy(['\\Qa.b\\E', 'x\\Qa.b\\Ey']), 'rules.yaml', env)).not.toThrow();
  });

  it('regression: a host pattern of "." is not a host (it became "" and matched host-less URLs)', () => {
    expect(canonicalHostPattern('.')).toBeUndefined();
    expect(canonicalHostPattern('..')).toBeUndefined();
    expect(new HostMatcher(['.']).matches('')).toBe(false);
  });

  it('the scan engine completes over 1 MiB of "a" with every catastrophic pattern at once', () => {
    const set = parsePolicySet(rulesPolicy(CATASTROPHIC, '  timeBudgetMs: 60000\n'), 'rules.yaml', env);
    const engine = new ScanEngine(set);
    for (const content of ['a'.repeat(MIB - 1) + '!', 'a '.repeat(MIB / 2)]) {
      const result = engine.scan({ tenantId: 'default', direction: 'INPUT', content, policyId: '', deadline: 0 });
      expect(['ALLOW', 'BLOCK']).toContain(result.action);
    }
  });

  describe('through a real sidecar', () => {
    let sidecar: RunningSidecar;
    let client: ScanClient;
    beforeAll(async () => {
      // The default 50 ms + 2 ms/KiB budget: a 1 MiB scan gets about 2 s.
      sidecar = await startTestSidecar({ workers: 1, policySet: parsePolicySet(rulesPolicy(CATASTROPHIC), 'rules.yaml', env) });
      client = scanClient(sidecar.address, { 'grpc.max_send_message_length': 2 * MIB });
    });
    afterAll(async () => {
      client?.close();
      await sidecar?.close(1000);
    });

    it('answers 1 MiB of "a" with a decision (or fail-closed SCANNER_ERROR), never a hang', { timeout: 60_000 }, async () => {
      for (const content of ['a'.repeat(MIB - 1) + '!', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab']) {
        const r = await client.scan({ content }, { deadlineMs: 50_000 });
        expect(r.action).toBe(Action.BLOCK); // rule-0 (a+)+$ or rule-6 ([a-zA-Z]+)*! or (a|aa)*b matches, or the budget ran out
      }
      expect((await client.scan({ content: '12 + 3 = 15.' })).action).toBe(Action.ALLOW);
    });
  });
});
