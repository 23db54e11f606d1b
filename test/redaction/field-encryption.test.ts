import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptValue,
  ENCRYPTED_TOKEN_PATTERN,
  encryptValue,
  FieldEncryptionError,
  parseEncryptionKey,
} from '../../src/redaction/field-encryption.js';

const key = randomBytes(32).toString('base64');
const otherKey = randomBytes(32).toString('base64');

/** Flips one character of the token's body (not the prefix) to another base64url character. */
function tamper(token: string, at: number): string {
  const i = 'bwenc:v1:'.length + at;
  const c = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + c + token.slice(i + 1);
}

describe('field encryption (AES-256-GCM)', () => {
  it('round-trips ASCII, Unicode and empty values', () => {
    for (const value of ['4111 1111 1111 1111', 'José 😀 Zoë', '']) {
      const token = encryptValue(value, key);
      expect(token.startsWith('bwenc:v1:')).toBe(true);
      expect(decryptValue(token, key)).toBe(value);
    }
  });

  it('uses a fresh IV: the same value encrypts to different tokens', () => {
    expect(encryptValue('same', key)).not.toBe(encryptValue('same', key));
  });

  it('tokens never contain the plaintext', () => {
    const token = encryptValue('bob@example.com', key);
    expect(token).not.toContain('bob');
  });

  it('rejects a token modified anywhere (IV, ciphertext or tag)', () => {
    const token = encryptValue('secret value', key);
    const bodyLength = token.length - 'bwenc:v1:'.length;
    for (const at of [0, 5, 16, Math.floor(bodyLength / 2), bodyLength - 3]) {
      expect(() => decryptValue(tamper(token, at), key), `position ${at}`).toThrow(FieldEncryptionError);
    }
  });

  it('rejects a truncated token, a foreign prefix and a non-canonical encoding', () => {
    const token = encryptValue('secret value', key);
    expect(() => decryptValue(token.slice(0, 30), key)).toThrow(/truncated|authentication|canonical/);
    expect(() => decryptValue(token.replace('bwenc:v1:', 'bwenc:v2:'), key)).toThrow(/not an encrypted value/);
    expect(() => decryptValue(`${token}==`, key)).toThrow(FieldEncryptionError);
  });

  it('fails with another key, without revealing the value in the message', () => {
    const token = encryptValue('4111111111111111', key);
    expect(() => decryptValue(token, otherKey)).toThrow(/wrong key or modified token/);
    try {
      decryptValue(token, otherKey);
    } catch (err) {
      expect(String(err)).not.toContain('4111');
    }
  });

  it('validates the key: empty, not base64, wrong length', () => {
    expect(() => parseEncryptionKey('')).toThrow(/no encryption key configured/);
    expect(() => parseEncryptionKey('not base64!')).toThrow(/not base64/);
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'))).toThrow(/must be 32 bytes/);
    expect(parseEncryptionKey(randomBytes(32).toString('base64url'))).toHaveLength(32);
  });

  it('tokens can be found inside redacted text', () => {
    const token = encryptValue('x', key);
    const text = `call <PHONE> or ${token}, thanks`;
    expect(text.match(ENCRYPTED_TOKEN_PATTERN)).toEqual([token]);
  });
});
