/**
 * Regression tests for the secret rules and checks added to close measured gaps (see
 * docs/evaluation.md, Secrets): literal value positions, Terraform defaults, Jenkins crumbs,
 * Code Climate reporter ids, licence keys, PEM bodies, documentation addresses and base58
 * Artifactory keys. Every value is built here from a seeded PRNG, never copied from data.
 */
import { describe, expect, it } from 'vitest';
import { createSecretDetector } from '../../src/detectors/secret-patterns.js';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { isDocumentationHost } from '../../src/detectors/secrets/documentation-hosts.js';
import { placeholderReason } from '../../src/detectors/secrets/placeholder-filter.js';
import { validateSecret } from '../../src/detectors/secrets/validators.js';
import type { Finding } from '../../src/detectors/types.js';
import { compiledPolicy } from './compiled-policy-fixture.js';
import { ALNUM, BASE64, LOWER_HEX, randomString } from './secret-fixtures.js';

const detector = createSecretDetector(compiledPolicy());
if (detector === null) throw new Error('secrets are enabled in the fixture policy');

function scan(text: string): Finding[] {
  return detector!.detect({ text: analyzeText(text), direction: 'OUTPUT' });
}

function found(text: string): Array<[string, string]> {
  return scan(text).map((f) => [f.ruleId, text.slice(f.spans[0]!.start, f.spans[0]!.end)]);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

describe('literal value positions: a credential word is the password, not a field name', () => {
  it('placeholder filter: "literal" skips only the field-name test', () => {
    expect(placeholderReason('secret', 'password')).toBe('field name, not a value');
    expect(placeholderReason('secret', 'literal')).toBeNull();
    expect(placeholderReason('mypass', 'literal')).toBeNull();
    expect(placeholderReason('password', 'literal')).toBe('stop word');
    expect(placeholderReason('${DB_PASSWORD}', 'literal')).toBe('template or variable reference');
    expect(placeholderReason('123456', 'literal')).toBe('character sequence');
  });

  it('finds the password of a connection URI even when it is a credential word', () => {
    expect(found('postgresql://app:secret@db.internal:5432/app')).toEqual([['database-connection-string', 'secret']]);
    expect(found('see https://deploy:letmein-now@git.internal/repo.git')).toEqual([['url-credentials', 'letmein-now']]);
  });

  it('still ignores stop words and templates there', () => {
    expect(scan('postgresql://app:password@db.internal/app')).toEqual([]);
    expect(scan('postgresql://app:${PGPASS}@db.internal/app')).toEqual([]);
  });

  it('finds ADO.NET passwords that look like names, and PsExec / DirectoryEntry arguments', () => {
    expect(found('Server=db;User ID=svc;Password=adminPass;')).toEqual([['connection-string-password', 'adminPass']]);
    expect(found('psexec \\\\host -u CORP\\svc -p mypass cmd')).toEqual([['psexec-password', 'mypass']]);
    expect(found('new DirectoryEntry("LDAP://dc", "corp\\svc", "secret")')).toEqual([['dotnet-directoryentry-password', 'secret']]);
  });
});

describe('short human-chosen secrets', () => {
  it('a symbol counts like a digit: short values with either are secrets, plain names are not', () => {
    expect(found('jwt:\n  secret: "harbour#lantern"\n')).toEqual([['generic-secret-assignment', 'harbour#lantern']]);
    expect(scan('jwt:\n  secret: "harbourLantern"\n')).toEqual([]);
    expect(scan('jwt:\n  secret: "harbour-lantern"\n')).toEqual([]); // separators are not symbols
  });
});

describe('credentials stored through subscripts, setters and put calls', () => {
  const token = randomString(ALNUM, 24, 560);

  it('subscript assignments (Flask config, os.environ, PHP arrays, Ruby params)', () => {
    for (const text of [
      `app.config['SECRET_KEY'] = '${token}'`,
      `os.environ["SERVICE_TOKEN"] = "${token}"`,
      `$settings['api_key'] = '${token}';`,
      `params[:password] = "${token}"`,
    ]) {
      expect(found(text).map(([, value]) => value), text).toEqual([token]);
    }
    expect(scan(`counts['token_count'] = '${token}'`)).toEqual([]);
  });

  it('setters and put / header / property calls with a literal', () => {
    expect(found(`client.setPassword("${token}");`)).toEqual([['credential-setter-call', token]]);
    expect(found(`builder.withApiKey('${token}')`)).toEqual([['credential-setter-call', token]]);
    expect(found(`map.put("password", "${token}");`)).toEqual([['credential-put-call', token]]);
    expect(found(`req.setHeader("X-Api-Key", "${token}")`)).toEqual([['credential-put-call', token]]);
  });

  it('not checks, length setters, hints, variables or stop words', () => {
    expect(scan(`assert checkPassword("${token}")`)).toEqual([]);
    expect(scan('setPasswordLength("abc12345")')).toEqual([]);
    expect(scan(`map.put("password_hint", "${token}")`)).toEqual([]);
    expect(scan('setPassword(passwordField.getText())')).toEqual([]);
    expect(scan('setPassword("password")')).toEqual([]);
  });
});

describe('documentation addresses (RFC 5737 / RFC 3849)', () => {
  it('recognises the reserved ranges only', () => {
    for (const host of ['192.0.2.10', '198.51.100.7', '203.0.113.250', '[2001:db8::1]', '2001:0db8:85a3::8a2e']) {
      expect(isDocumentationHost(host), host).toBe(true);
    }
    for (const host of ['192.0.3.1', '10.0.0.1', 'db.internal', 'example.com', '[2001:470::1]']) {
      expect(isDocumentationHost(host), host).toBe(false);
    }
  });

  it('credentials for a documentation address are an example; others are reported', () => {
    const password = randomString(ALNUM, 14, 501);
    expect(scan(`postgresql://app:${password}@[2001:db8::1234]/db`)).toEqual([]);
    expect(scan(`mysql://app:${password}@203.0.113.9:3306/db`)).toEqual([]);
    expect(scan(`https://app:${password}@198.51.100.4/x`)).toEqual([]);
    expect(found(`postgresql://app:${password}@10.1.2.3/db`)).toEqual([['database-connection-string', password]]);
  });
});

describe('provider and tool formats', () => {
  it('Terraform variable defaults named like credentials', () => {
    const token = randomString(ALNUM + '-_', 42, 502);
    const text = `variable "corp_api_token" {\n  type    = string\n  default = "${token}"\n}`;
    expect(found(text)).toEqual([['terraform-variable-default', token]]);
    expect(scan('variable "api_token_ttl" {\n  default = "3600s-rolling"\n}')).toEqual([]);
    expect(scan('variable "db_password" {\n  default = "changeme"\n}')).toEqual([]);
  });

  it('Jenkins crumb headers and Code Climate reporter ids', () => {
    const crumb = randomString(LOWER_HEX, 32, 503);
    expect(found(`curl -H 'Jenkins-Crumb:${crumb}' https://ci/job/x/build`)).toEqual([['jenkins-crumb', crumb]]);
    const reporter = randomString(LOWER_HEX, 64, 504);
    expect(found(`env:\n  CC_TEST_REPORTER_ID: ${reporter}\n`)).toEqual([['codeclimate-reporter-id', reporter]]);
  });

  it('licence / activation keys in groups, not masks', () => {
    const key = Array.from({ length: 5 }, (_, i) => randomString(UPPER_ALNUM, 5, 510 + i)).join('-');
    expect(found(`Activation key : ${key}`)).toEqual([['license-key', key]]);
    expect(found(`license_key="${key}"`).map(([rule]) => rule)).toContain('license-key');
    expect(scan('Product key: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX')).toEqual([]);
    expect(scan(`Serial number: ${key}`)).toEqual([]); // identifies a device, unlocks nothing
  });

  it('Artifactory API keys are base58: a 0, O, I or l marks a made-up one', () => {
    const key = `AKCp${randomString(BASE58, 69, 520)}`;
    expect(found(`export ARTIFACTORY_KEY_VALUE ${key}`).map(([rule]) => rule)).toContain('artifactory-api-key');
    const broken = `AKCp${randomString(BASE58, 68, 520)}0`;
    expect(scan(broken)).toEqual([]);
  });
});

describe('PEM bodies', () => {
  const random = (seed: number): string =>
    Array.from({ length: 8 }, (_, i) => randomString(BASE64, 64, seed + i)).join('\n');
  const block = (body: string): string => `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
  const filler = Array.from({ length: 8 }, () => 'asdfjklasdfhjkasdhfjkasdhfjkashdfjkhasdjkfhasjkdfhasjkdhfjkasdhfk'.slice(0, 64)).join('\n');

  it('a random body is key material; typed filler is not', () => {
    expect(validateSecret('pem-body', block(random(530)))).toBe('plausible');
    expect(validateSecret('pem-body', block(filler))).toBe('invalid');
    expect(validateSecret('pem-body', block('MIIEow...'))).toBe('plausible'); // too short to judge
    expect(scan(block(random(540))).map((f) => f.ruleId)).toEqual(['pem-private-key']);
    expect(scan(block(filler))).toEqual([]);
  });

  it('the same check applies inside base64-wrapped PEM', () => {
    const wrapped = (body: string): string => Buffer.from(block(body)).toString('base64');
    expect(validateSecret('base64-pem', wrapped(random(550)))).toBe('plausible');
    expect(validateSecret('base64-pem', wrapped(filler))).toBe('invalid');
  });
});
