import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultPolicySet, loadPolicySetFromFile, parsePolicySet } from '../../src/policy/load-policy.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import { BUILT_IN_DEFAULTS } from '../../src/policy/default-policy.js';

const env = { BULWARK_HASH_SALT: 'test-process-secret' };

const MINIMAL = `apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: no-purple-elephants
      pattern: 'purple\\s+elephant'
      action: BLOCK
`;

/** The error thrown for `text`; fails the test when the text is valid. */
function errorOf(text: string, extraEnv: Record<string, string> = {}): PolicyValidationError {
  try {
    parsePolicySet(text, 'policy.yaml', { ...env, ...extraEnv });
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyValidationError);
    return err as PolicyValidationError;
  }
  throw new Error('expected a PolicyValidationError');
}

const policy = (spec: string, metadata = 'metadata:\n  tenant: acme\n'): string =>
  `apiVersion: bulwark.dev/v1\nkind: Policy\n${metadata}spec:\n${spec}`;

describe('parsePolicySet: the minimal document', () => {
  const set = parsePolicySet(MINIMAL, 'policy.yaml', env);

  it('creates tenant acme with a default policy holding the rule, everything else defaulted', () => {
    const acme = set.tenants.acme?.default;
    expect(acme).toBeDefined();
    expect(acme?.id).toBe('default');
    expect(acme?.tenant).toBe('acme');
    expect(acme?.customRules).toEqual([
      {
        id: 'no-purple-elephants',
        pattern: 'purple\\s+elephant',
        action: 'BLOCK',
        severity: 'HIGH',
        directions: ['INPUT', 'OUTPUT'],
        caseSensitive: false,
      },
    ]);
    expect(acme?.threats).toEqual(BUILT_IN_DEFAULTS.threats);
    expect(acme?.detectors).toEqual(BUILT_IN_DEFAULTS.detectors);
    expect(acme?.failMode).toBe('closed');
    expect(acme?.timeBudgetMs).toBe(50);
    expect(acme?.operators).toEqual(BUILT_IN_DEFAULTS.operators);
  });

  it('always has tenant "default" with the built-in policy, and unknown tenants get it', () => {
    expect(set.tenants.default?.default?.version).toBe(defaultPolicySet(env).tenants.default?.default?.version);
    expect(set.unknownTenant).toBe('default');
  });

  it('gives versions of the form sha256:<12 hex>, stable across parses', () => {
    expect(set.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(set.tenants.acme?.default?.version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(parsePolicySet(MINIMAL, 'other-name.yaml', env).version).toBe(set.version);
    // Comments and formatting do not change what is enforced, so not the version either.
    const reformatted = `# a comment\n${MINIMAL.replace("'purple\\s+elephant'", '"purple\\\\s+elephant"')}`;
    expect(parsePolicySet(reformatted, 'policy.yaml', env).version).toBe(set.version);
  });

  it('changes the policy and set versions when the policy changes, and only that policy', () => {
    const changed = parsePolicySet(MINIMAL.replace('action: BLOCK', 'action: WARN'), 'policy.yaml', env);
    expect(changed.tenants.acme?.default?.version).not.toBe(set.tenants.acme?.default?.version);
    expect(changed.version).not.toBe(set.version);
    expect(changed.tenants.default?.default?.version).toBe(set.tenants.default?.default?.version);
  });
});

describe('parsePolicySet: multi-document files', () => {
  const set = loadPolicySetFromFile('examples/policies/multi-tenant.yaml', env);

  it('reads settings and every policy', () => {
    expect(set.unknownTenant).toBe('reject');
    expect(Object.keys(set.tenants).sort()).toEqual(['acme', 'default']);
    expect(Object.keys(set.tenants.acme ?? {}).sort()).toEqual(['default', 'support-bot']);
    expect(set.tenants.default?.default?.timeBudgetMs).toBe(20);
  });

  it('merges each document over the built-in default, not over another document', () => {
    const bot = set.tenants.acme?.['support-bot'];
    expect(bot?.threats.PII).toEqual({ minConfidence: 0.5, action: { INPUT: 'REDACT', OUTPUT: 'BLOCK' } });
    // Only minConfidence given: the action keeps the default per direction.
    expect(bot?.threats.PROMPT_INJECTION).toEqual({ minConfidence: 0.7, action: { INPUT: 'BLOCK', OUTPUT: 'WARN' } });
    expect(bot?.detectors.toxicity.enabled).toBe(false);
    expect(bot?.detectors.pii).toEqual({ enabled: true, entities: ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD'], phoneRegions: ['US', 'GB', 'DE'] });
    expect(bot?.customRules).toEqual([]); // rules of acme/default are not inherited
    expect(bot?.failMode).toBe('open');
  });

  it('merges operators per entity over the default operator', () => {
    const acme = set.tenants.acme?.default;
    expect(acme?.operators).toEqual({
      DEFAULT: { type: 'replace' },
      DATA_EXFILTRATION: { type: 'replace', newValue: '[link removed]' },
      EMAIL_ADDRESS: { type: 'mask', maskingChar: '*', charsToMask: 6, fromEnd: false },
      CREDIT_CARD: { type: 'mask', maskingChar: '*', charsToMask: 12, fromEnd: false },
      PHONE_NUMBER: { type: 'hash' },
    });
    expect(acme?.allowPatterns).toHaveLength(2);
    expect(acme?.threats.TOXICITY.action).toEqual({ INPUT: 'BLOCK', OUTPUT: 'BLOCK' });
  });

  it('skips empty documents (a trailing ---)', () => {
    expect(parsePolicySet(`${MINIMAL}---\n`, 'policy.yaml', env).version).toBe(parsePolicySet(MINIMAL, 'policy.yaml', env).version);
  });
});

describe('parsePolicySet: every error names file, line and field', () => {
  it('unknown field (a typo must not silently keep the default)', () => {
    const err = errorOf(policy('  threats:\n    PII:\n      acton: BLOCK\n'));
    expect(err.message).toBe(
      'policy.yaml:8 spec.threats.PII.acton: unknown field; expected one of minConfidence, action',
    );
    expect(err.location).toBe('policy.yaml:8 spec.threats.PII.acton');
  });

  it('unknown top-level and metadata fields', () => {
    expect(errorOf(policy('  failmode: open\n')).message).toMatch(/^policy\.yaml:6 spec\.failmode: unknown field/);
    expect(errorOf(policy('  failMode: open\n', 'metadata:\n  tenat: acme\n')).message).toMatch(/^policy\.yaml:4 metadata\.tenat: unknown field/);
  });

  it('wrong enum value', () => {
    const err = errorOf(policy('  threats:\n    PII:\n      minConfidence: 0.3\n      action: BLOK\n'));
    expect(err.message).toBe('policy.yaml:9 spec.threats.PII.action: must be one of ALLOW, WARN, REDACT, BLOCK ("BLOK" given)');
    expect(errorOf(policy('  threats:\n    PII:\n      action: { input: REDACT, output: DROP }\n')).message).toMatch(
      /^policy\.yaml:8 spec\.threats\.PII\.action\.output: must be one of/,
    );
    expect(errorOf(policy('  failMode: half-open\n')).message).toMatch(/^policy\.yaml:6 spec\.failMode: must be one of closed, open/);
  });

  it('unknown threat type, and SCANNER_ERROR (decided by failMode) is not configurable', () => {
    expect(errorOf(policy('  threats:\n    JAILBRAKE: { action: BLOCK }\n')).message).toMatch(/^policy\.yaml:7 spec\.threats\.JAILBRAKE: unknown field/);
    expect(errorOf(policy('  threats:\n    SCANNER_ERROR: { action: ALLOW }\n')).message).toMatch(/^policy\.yaml:7 spec\.threats\.SCANNER_ERROR/);
  });

  it('numbers out of range and wrong types', () => {
    expect(errorOf(policy('  threats:\n    PII: { minConfidence: 1.5 }\n')).message).toMatch(
      /^policy\.yaml:7 spec\.threats\.PII\.minConfidence: must be a number from 0 to 1 \(1\.5 given\)/,
    );
    expect(errorOf(policy('  timeBudgetMs: "50"\n')).message).toMatch(/^policy\.yaml:6 spec\.timeBudgetMs: must be a number/);
    expect(errorOf(policy('  detectors:\n    pii: { enabled: "yes" }\n')).message).toMatch(/^policy\.yaml:7 spec\.detectors\.pii\.enabled: must be true or false/);
  });

  it('bad custom rule pattern names the rule id and the pattern line', () => {
    const err = errorOf(policy("  customRules:\n    - id: ok\n      pattern: 'fine'\n      action: WARN\n    - id: sneaky\n      pattern: '(?=x)abc'\n      action: BLOCK\n"));
    expect(err.location).toBe('policy.yaml:11 spec.customRules[1].pattern');
    expect(err.message).toContain('"sneaky"');
    expect(err.message).toContain('lookahead');
  });

  it('custom rule: pattern XOR phrases, action required, bad direction', () => {
    expect(errorOf(policy('  customRules:\n    - id: r\n      action: BLOCK\n')).message).toMatch(
      /^policy\.yaml:7 spec\.customRules\[0\]: needs exactly one of pattern or phrases/,
    );
    expect(errorOf(policy("  customRules:\n    - id: r\n      pattern: a\n      phrases: [b]\n      action: BLOCK\n")).message).toMatch(
      /needs exactly one of pattern or phrases/,
    );
    expect(errorOf(policy("  customRules:\n    - id: r\n      pattern: abc\n")).message).toMatch(/spec\.customRules\[0\]: needs an action/);
    expect(errorOf(policy("  customRules:\n    - id: r\n      pattern: abc\n      action: BLOCK\n      directions: [IN]\n")).message).toMatch(
      /^policy\.yaml:10 spec\.customRules\[0\]\.directions\[0\]: must be one of INPUT, OUTPUT/,
    );
  });

  it('a pattern that matches the empty string is refused', () => {
    expect(errorOf(policy("  customRules:\n    - id: everything\n      pattern: 'x*'\n      action: BLOCK\n")).location).toBe(
      'policy.yaml:8 spec.customRules[0].pattern',
    );
  });

  it('duplicate rule ids', () => {
    const err = errorOf(policy('  customRules:\n    - id: r1\n      pattern: a\n      action: BLOCK\n    - id: r1\n      phrases: [b]\n      action: WARN\n'));
    expect(err.message).toBe('policy.yaml:10 spec.customRules[1].id: duplicate rule id "r1" (first used by customRules[0])');
  });

  it('duplicate policy names for one tenant (and the implicit name "default")', () => {
    const named = policy('  failMode: open\n', 'metadata:\n  tenant: acme\n  name: strict\n');
    const err = errorOf(`${named}---\n${named}`);
    expect(err.message).toBe('policy.yaml:13 metadata.name: duplicate policy "strict" for tenant "acme" (first defined at line 5)');
    // The same name for different tenants is fine.
    const other = policy('  failMode: open\n', 'metadata:\n  tenant: other\n  name: strict\n');
    expect(() => parsePolicySet(`${named}---\n${other}`, 'policy.yaml', env)).not.toThrow();
    // Two documents without metadata both define default/default.
    const bare = 'apiVersion: bulwark.dev/v1\nkind: Policy\nspec: {}\n';
    expect(errorOf(`${bare}---\n${bare}`).message).toMatch(/duplicate policy "default" for tenant "default"/);
  });

  it('configuration a detector rejects is reported at its field (PII entities, phone regions)', () => {
    expect(errorOf(policy('  detectors:\n    pii:\n      entities: [EMAIL_ADDRESS, PASSPORT]\n')).message).toMatch(
      /^policy\.yaml:8 spec\.detectors\.pii\.entities: unsupported PII entity "PASSPORT"/,
    );
    expect(errorOf(policy('  detectors:\n    pii:\n      phoneRegions: [US, XX]\n')).message).toMatch(
      /^policy\.yaml:8 spec\.detectors\.pii\.phoneRegions: unknown phone region "XX"/,
    );
  });

  it('bad allow-list pattern', () => {
    expect(errorOf(policy("  allowList:\n    - 'ok'\n    - '(unclosed'\n")).location).toBe('policy.yaml:8 spec.allowList[1]');
  });

  it('operators: unknown type, missing mask parameter, parameter of another operator', () => {
    expect(errorOf(policy('  operators:\n    EMAIL_ADDRESS: { type: scramble }\n')).message).toMatch(
      /^policy\.yaml:7 spec\.operators\.EMAIL_ADDRESS\.type: must be one of replace, redact, mask, hash, encrypt, keep/,
    );
    expect(errorOf(policy('  operators:\n    EMAIL_ADDRESS: { type: mask }\n')).message).toMatch(/needs charsToMask/);
    expect(errorOf(policy('  operators:\n    EMAIL_ADDRESS: { type: hash, newValue: x }\n')).message).toMatch(
      /spec\.operators\.EMAIL_ADDRESS\.newValue: is not a parameter of the hash operator/,
    );
  });

  it('encrypt needs a key from the environment, never from the file', () => {
    expect(errorOf(policy('  operators:\n    DEFAULT: encrypt\n')).message).toMatch(/spec\.operators\.DEFAULT: the encrypt operator needs spec\.encryption\.keyEnv/);
    const withKeyEnv = policy('  operators:\n    DEFAULT: encrypt\n  encryption:\n    keyEnv: ACME_AES_KEY\n');
    expect(errorOf(withKeyEnv).message).toMatch(/^policy\.yaml:9 spec\.encryption\.keyEnv: environment variable ACME_AES_KEY is not set/);
    expect(errorOf(withKeyEnv, { ACME_AES_KEY: 'dG9vIHNob3J0' }).message).toMatch(/32-byte AES-256 key/);
    const key = Buffer.alloc(32, 7).toString('base64');
    const set = parsePolicySet(withKeyEnv, 'policy.yaml', { ...env, ACME_AES_KEY: key });
    expect(set.tenants.acme?.default?.encryptionKey).toBe(key);
    expect(set.tenants.acme?.default?.operators.DEFAULT).toEqual({ type: 'encrypt' });
  });

  it('YAML syntax errors and YAML duplicate keys carry the line', () => {
    expect(errorOf('apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  failMode: [closed\n').message).toMatch(/^policy\.yaml:\d+: YAML syntax error/);
    expect(errorOf(policy('  failMode: open\n  failMode: closed\n')).message).toMatch(/^policy\.yaml:7: YAML syntax error: Map keys must be unique/);
  });

  it('apiVersion, kind, a second PolicySettings, and an empty file', () => {
    expect(errorOf('apiVersion: v1\nkind: Policy\n').message).toBe('policy.yaml:1 apiVersion: must be bulwark.dev/v1');
    expect(errorOf('apiVersion: bulwark.dev/v1\nkind: Polcy\n').message).toMatch(/^policy\.yaml:2 kind: must be one of Policy, PolicySettings/);
    const settings = 'apiVersion: bulwark.dev/v1\nkind: PolicySettings\nspec:\n  unknownTenant: reject\n';
    expect(errorOf(`${settings}---\n${settings}`).message).toBe(
      'policy.yaml:7 kind: only one PolicySettings document is allowed (the first is at line 2)',
    );
    expect(errorOf(settings.replace('reject', 'drop')).message).toMatch(/^policy\.yaml:4 spec\.unknownTenant: must be one of default, reject/);
    expect(errorOf('').message).toBe('policy.yaml:1: the file contains no policy documents');
    expect(errorOf('# just a comment\n---\n').message).toBe('policy.yaml:1: the file contains no policy documents');
  });

  it('reports every problem at once, top to bottom', () => {
    const err = errorOf(policy('  failMode: maybe\n  threats:\n    PII: { action: NOPE }\n  extra: 1\n'));
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^policy\.yaml:6 spec\.failMode/);
    expect(lines[1]).toMatch(/^policy\.yaml:8 spec\.threats\.PII\.action/);
    expect(lines[2]).toMatch(/^policy\.yaml:9 spec\.extra/);
  });

  it('bounds YAML alias expansion', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    expect(errorOf(bomb.join('\n')).message).toMatch(/^policy\.yaml:1: .*alias/i);
  });
});

describe('hash salt', () => {
  it('differs per tenant and per process secret; an explicit salt is used as given', () => {
    const two = `${MINIMAL}---\n${MINIMAL.replace('tenant: acme', 'tenant: globex')}`;
    const a = parsePolicySet(two, 'p.yaml', env);
    expect(a.tenants.acme?.default?.hashSalt).toMatch(/^[0-9a-f]{64}$/);
    expect(a.tenants.acme?.default?.hashSalt).not.toBe(a.tenants.globex?.default?.hashSalt);
    const b = parsePolicySet(two, 'p.yaml', { BULWARK_HASH_SALT: 'another-secret' });
    expect(b.tenants.acme?.default?.hashSalt).not.toBe(a.tenants.acme?.default?.hashSalt);
    // All policies of one tenant share the salt, so their hashes are comparable.
    const strict = policy('  failMode: open\n', 'metadata:\n  tenant: acme\n  name: strict\n');
    const c = parsePolicySet(`${MINIMAL}---\n${strict}`, 'p.yaml', env);
    expect(c.tenants.acme?.strict?.hashSalt).toBe(c.tenants.acme?.default?.hashSalt);
    const explicit = parsePolicySet(policy('  hashSalt: "0123456789abcdef-acme"\n'), 'p.yaml', env);
    expect(explicit.tenants.acme?.default?.hashSalt).toBe('0123456789abcdef-acme');
    expect(errorOf(policy('  hashSalt: short\n')).message).toMatch(/spec\.hashSalt: must be at least 16 characters long/);
  });
});

describe('the documented default equals the code', () => {
  it('examples/policies/default.yaml compiles to exactly the built-in default', () => {
    const fromFile = loadPolicySetFromFile('examples/policies/default.yaml', env);
    const builtIn = defaultPolicySet(env);
    expect(fromFile.tenants.default?.default).toEqual(builtIn.tenants.default?.default);
    expect(fromFile.version).toBe(builtIn.version);
  });

  it('the built-in default is what the README promises', () => {
    const t = BUILT_IN_DEFAULTS.threats;
    expect(t.PROMPT_INJECTION.action).toEqual({ INPUT: 'BLOCK', OUTPUT: 'WARN' });
    expect(t.JAILBREAK.action).toEqual({ INPUT: 'BLOCK', OUTPUT: 'WARN' });
    expect(t.PII.action).toEqual({ INPUT: 'REDACT', OUTPUT: 'REDACT' });
    expect(t.SECRET.action).toEqual({ INPUT: 'REDACT', OUTPUT: 'REDACT' });
    expect(t.SYSTEM_PROMPT_LEAK.action).toEqual({ INPUT: 'WARN', OUTPUT: 'BLOCK' });
    expect(t.DATA_EXFILTRATION.action).toEqual({ INPUT: 'WARN', OUTPUT: 'REDACT' });
    expect(t.TOXICITY.action).toEqual({ INPUT: 'WARN', OUTPUT: 'WARN' });
    expect(t.CUSTOM_RULE.action).toEqual({ INPUT: 'BLOCK', OUTPUT: 'BLOCK' });
    expect(t.UNSAFE_CODE.action).toEqual({ INPUT: 'WARN', OUTPUT: 'WARN' });
    expect(t.MALICIOUS_URL.action).toEqual({ INPUT: 'WARN', OUTPUT: 'WARN' });
    expect(t.PII.minConfidence).toBeLessThan(t.SECRET.minConfidence);
    expect(BUILT_IN_DEFAULTS.failMode).toBe('closed');
    expect(BUILT_IN_DEFAULTS.operators).toEqual({
      DEFAULT: { type: 'replace' },
      DATA_EXFILTRATION: { type: 'replace', newValue: '[link removed]' },
    });
  });

  it('every example policy file is valid', () => {
    for (const file of ['default', 'minimal', 'multi-tenant']) {
      const path = `examples/policies/${file}.yaml`;
      expect(() => parsePolicySet(readFileSync(path, 'utf8'), path, env)).not.toThrow();
    }
  });
});
