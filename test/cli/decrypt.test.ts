import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptValue } from '../../src/redaction/field-encryption.js';
import { runCli } from './run-cli.js';
import { writePolicy } from './policy-fixtures.js';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const env = { BULWARK_TEST_KEY: KEY };

describe('bulwark decrypt', () => {
  it('decrypts a token with --key-env', async () => {
    const token = encryptValue('jane.roe@example.com', KEY);
    const r = await runCli(['decrypt', token, '--key-env', 'BULWARK_TEST_KEY'], undefined, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('jane.roe@example.com\n');
  });

  it('decrypts with --key-file (whitespace around the key ignored)', async () => {
    const keyFile = writePolicy('key.b64', `  ${KEY}\n`);
    const r = await runCli(['decrypt', encryptValue('4111 1111 1111 1111', KEY), '--key-file', keyFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('4111 1111 1111 1111\n');
  });

  it('replaces every token in stdin text and leaves the rest unchanged', async () => {
    const text = `Mail ${encryptValue('a@example.com', KEY)} or call ${encryptValue('+1 415 555 0100', KEY)}.\n`;
    const r = await runCli(['decrypt', '--key-env', 'BULWARK_TEST_KEY'], text, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Mail a@example.com or call +1 415 555 0100.\n');
  });

  it('fails with exit 1 for the wrong key or a modified token, without printing either', async () => {
    const token = encryptValue('secret value', KEY);
    const wrong = await runCli(['decrypt', token, '--key-env', 'OTHER'], undefined, { OTHER: OTHER_KEY });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('failed authentication');
    expect(wrong.stderr).not.toContain(OTHER_KEY);
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    const modified = await runCli(['decrypt', flipped, '--key-env', 'BULWARK_TEST_KEY'], undefined, env);
    expect(modified.code).toBe(1);
    expect(modified.stdout).toBe('');
  });

  it('fails with exit 1 when the key variable is unset, and 64 when both key sources are given', async () => {
    const unset = await runCli(['decrypt', 'bwenc:v1:x', '--key-env', 'BULWARK_NO_SUCH_KEY']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('BULWARK_NO_SUCH_KEY is not set');
    const both = await runCli(['decrypt', 'bwenc:v1:x', '--key-env', 'A', '--key-file', 'B']);
    expect(both.code).toBe(64);
  });
});
