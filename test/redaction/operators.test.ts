import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyOperator, mask, operatorFor, type OperatorContext } from '../../src/redaction/operators.js';
import { decryptValue, FieldEncryptionError, parseEncryptionKey } from '../../src/redaction/field-encryption.js';

const keyBase64 = randomBytes(32).toString('base64');
const ctx = (hashSalt = 'tenant-salt', key = keyBase64): OperatorContext => ({ hashSalt, encryptionKey: () => parseEncryptionKey(key) });

describe('operators', () => {
  it('replace: "<ENTITY_TYPE>" by default, or the configured value', () => {
    expect(applyOperator('bob@example.com', 'EMAIL_ADDRESS', { type: 'replace' }, ctx())).toBe('<EMAIL_ADDRESS>');
    expect(applyOperator('bob@example.com', 'EMAIL_ADDRESS', { type: 'replace', newValue: '[email]' }, ctx())).toBe('[email]');
  });

  it('redact removes the value; keep leaves it', () => {
    expect(applyOperator('536-22-8046', 'US_SSN', { type: 'redact' }, ctx())).toBe('');
    expect(applyOperator('536-22-8046', 'US_SSN', { type: 'keep' }, ctx())).toBe('536-22-8046');
  });

  it('mask from the start and from the end', () => {
    const op = { type: 'mask', maskingChar: '*', charsToMask: 12, fromEnd: false } as const;
    expect(applyOperator('4111111111111111', 'CREDIT_CARD', op, ctx())).toBe('************1111');
    expect(applyOperator('4111111111111111', 'CREDIT_CARD', { ...op, fromEnd: true }, ctx())).toBe('4111************');
  });

  it('mask counts code points: an emoji is one character and is never split', () => {
    expect(mask('a😀b😀c', '#', 2, false)).toBe('##b😀c');
    expect(mask('a😀b😀c', '#', 2, true)).toBe('a😀b##');
    expect(mask('😀😀', '😺', 1, false)).toBe('😺😀');
  });

  it('mask clamps the count and falls back to "*" for an empty masking character', () => {
    expect(mask('abc', '*', 10, false)).toBe('***');
    expect(mask('abc', '*', -2, false)).toBe('abc');
    expect(mask('abc', '', 1, false)).toBe('*bc');
    expect(mask('abc', 'XY', 1, true)).toBe('abX');
  });

  it('hash: SHA-256 hex of salt + value, deterministic per salt', () => {
    const a = applyOperator('bob@example.com', 'EMAIL_ADDRESS', { type: 'hash' }, ctx('s1'));
    expect(a).toBe(createHash('sha256').update('s1bob@example.com').digest('hex'));
    expect(applyOperator('bob@example.com', 'EMAIL_ADDRESS', { type: 'hash' }, ctx('s1'))).toBe(a);
    expect(applyOperator('bob@example.com', 'EMAIL_ADDRESS', { type: 'hash' }, ctx('s2'))).not.toBe(a);
    expect(applyOperator('bob@example.org', 'EMAIL_ADDRESS', { type: 'hash' }, ctx('s1'))).not.toBe(a);
  });

  it('encrypt: reversible with the key; a clear error without one', () => {
    const token = applyOperator('4111111111111111', 'CREDIT_CARD', { type: 'encrypt' }, ctx());
    expect(decryptValue(token, keyBase64)).toBe('4111111111111111');
    expect(() => applyOperator('x', 'CREDIT_CARD', { type: 'encrypt' }, ctx('s', ''))).toThrow(FieldEncryptionError);
    expect(() => applyOperator('x', 'CREDIT_CARD', { type: 'encrypt' }, ctx('s', ''))).toThrow(/no encryption key/);
  });

  it('operatorFor: entity, then DEFAULT, then replace', () => {
    const ops = { EMAIL_ADDRESS: { type: 'hash' }, DEFAULT: { type: 'redact' } } as const;
    expect(operatorFor(ops, 'EMAIL_ADDRESS')).toEqual({ type: 'hash' });
    expect(operatorFor(ops, 'PHONE_NUMBER')).toEqual({ type: 'redact' });
    expect(operatorFor({}, 'PHONE_NUMBER')).toEqual({ type: 'replace' });
  });
});
