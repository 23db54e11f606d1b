import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact, type RedactionContext } from '../../src/redaction/redact.js';
import { decryptValue, ENCRYPTED_TOKEN_PATTERN } from '../../src/redaction/field-encryption.js';
import type { OperatorConfig } from '../../src/policy/types.js';

const ctx = (operators: Record<string, OperatorConfig> = {}, encryptionKey = ''): RedactionContext => ({
  operators,
  hashSalt: 'salt',
  encryptionKey,
});

const span = (text: string, value: string, entityType: string): { start: number; end: number; entityType: string } => {
  const start = text.indexOf(value);
  return { start, end: start + value.length, entityType };
};

describe('redact', () => {
  it('replaces each item with its entity tag by default', () => {
    const text = 'mail bob@example.com or call 212-736-5000.';
    const items = [span(text, 'bob@example.com', 'EMAIL_ADDRESS'), span(text, '212-736-5000', 'PHONE_NUMBER')];
    expect(redact(text, items, ctx())).toBe('mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>.');
  });

  it('the order of items does not matter', () => {
    const text = 'a 536-22-8046 b bob@example.com c';
    const items = [span(text, 'bob@example.com', 'EMAIL_ADDRESS'), span(text, '536-22-8046', 'US_SSN')];
    expect(redact(text, items, ctx())).toBe(redact(text, [...items].reverse(), ctx()));
    expect(redact(text, items, ctx())).toBe('a <US_SSN> b <EMAIL_ADDRESS> c');
  });

  it('chooses the operator per entity, then DEFAULT, then replace', () => {
    const text = 'x bob@example.com y 536-22-8046 z https://a.b';
    const items = [span(text, 'bob@example.com', 'EMAIL_ADDRESS'), span(text, '536-22-8046', 'US_SSN'), span(text, 'https://a.b', 'URL')];
    const ops: Record<string, OperatorConfig> = {
      US_SSN: { type: 'mask', maskingChar: '#', charsToMask: 7, fromEnd: false },
      DEFAULT: { type: 'redact' },
      URL: { type: 'keep' },
    };
    expect(redact(text, items, ctx(ops))).toBe('x  y #######8046 z https://a.b');
  });

  it('merges overlapping items into one span; the widest item decides the entity', () => {
    const text = 'see https://bob@example.com/x now';
    const url = span(text, 'https://bob@example.com/x', 'URL');
    const email = span(text, 'bob@example.com', 'EMAIL_ADDRESS');
    expect(redact(text, [email, url], ctx())).toBe('see <URL> now');
    // Partial overlap: the union is replaced, labelled by the wider item.
    const t2 = 'abcdefghij';
    expect(redact(t2, [{ start: 1, end: 4, entityType: 'A' }, { start: 3, end: 9, entityType: 'B' }], ctx())).toBe('a<B>j');
    // A chain A–B–C that overlaps pairwise becomes one span.
    expect(
      redact(t2, [{ start: 0, end: 3, entityType: 'A' }, { start: 2, end: 5, entityType: 'B' }, { start: 4, end: 10, entityType: 'C' }], ctx()),
    ).toBe('<C>');
  });

  it('keeps touching items separate', () => {
    expect(redact('abcdef', [{ start: 0, end: 3, entityType: 'A' }, { start: 3, end: 6, entityType: 'B' }], ctx())).toBe('<A><B>');
  });

  it('ignores empty and out-of-range items and clamps to the text', () => {
    expect(redact('abc', [{ start: 2, end: 2, entityType: 'A' }, { start: 5, end: 9, entityType: 'B' }], ctx())).toBe('abc');
    expect(redact('abc', [{ start: -3, end: 1, entityType: 'A' }], ctx())).toBe('<A>bc');
    expect(redact('abc', [], ctx())).toBe('abc');
  });

  it('never splits a surrogate pair: spans are widened to whole code points', () => {
    const text = 'x😀y';
    // Offsets 1..2 cover only the high surrogate of the emoji.
    expect(redact(text, [{ start: 1, end: 2, entityType: 'E' }], ctx())).toBe('x<E>y');
    expect(redact(text, [{ start: 2, end: 4, entityType: 'E' }], ctx())).toBe('x<E>');
    const out = redact('a😀b', [{ start: 2, end: 3, entityType: 'E' }], ctx({ E: { type: 'keep' } }));
    expect(out).toBe('a😀b');
  });

  it('masks astral text by code points', () => {
    const text = 'name: Zoë😀😀 end';
    const item = span(text, 'Zoë😀😀', 'PERSON');
    expect(redact(text, [item], ctx({ PERSON: { type: 'mask', maskingChar: '*', charsToMask: 4, fromEnd: true } }))).toBe('name: Z**** end');
  });

  it('encrypt produces tokens that decrypt back to the original values', () => {
    const key = randomBytes(32).toString('base64');
    const text = 'card 4111111111111111 and 5555555555554444';
    const items = [span(text, '4111111111111111', 'CREDIT_CARD'), span(text, '5555555555554444', 'CREDIT_CARD')];
    const out = redact(text, items, ctx({ DEFAULT: { type: 'encrypt' } }, key));
    expect(out).not.toContain('4111');
    const tokens = out.match(ENCRYPTED_TOKEN_PATTERN) ?? [];
    expect(tokens.map((t) => decryptValue(t, key))).toEqual(['4111111111111111', '5555555555554444']);
  });

  it('encrypt without a key throws a clear error that does not contain the text', () => {
    const text = 'card 4111111111111111';
    const run = (): string => redact(text, [span(text, '4111111111111111', 'CREDIT_CARD')], ctx({ CREDIT_CARD: { type: 'encrypt' } }));
    expect(run).toThrow(/no encryption key configured/);
    try {
      run();
    } catch (err) {
      expect(String(err)).not.toContain('4111');
    }
  });

  it('does not need the key when no item uses encrypt', () => {
    const text = 'card 4111111111111111';
    expect(redact(text, [span(text, '4111111111111111', 'CREDIT_CARD')], ctx({ DEFAULT: { type: 'encrypt' }, CREDIT_CARD: { type: 'replace' } }))).toBe(
      'card <CREDIT_CARD>',
    );
  });
});
