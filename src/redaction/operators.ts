/**
 * Presidio's anonymizer operators, applied to one detected value:
 * - replace: a new value, by default "<ENTITY_TYPE>";
 * - redact: remove the value;
 * - mask: replace `charsToMask` characters (code points, so an emoji is one) from the
 *   start, or from the end, with `maskingChar`;
 * - hash: SHA-256 hex of the tenant's salt followed by the value (deterministic per salt,
 *   so the same value can be joined across records without being revealed);
 * - encrypt: AES-256-GCM token, reversible with the tenant's key (see field-encryption.ts);
 * - keep: leave the value as it is.
 */
import { createHash } from 'node:crypto';
import type { OperatorConfig } from '../policy/types.js';
import { encryptWithKey } from './field-encryption.js';

/** The operator used when a policy names none for an entity (nor a DEFAULT). */
export const DEFAULT_OPERATOR: OperatorConfig = { type: 'replace' };

/** What the operators need besides the value; the key is parsed on first use only. */
export interface OperatorContext {
  hashSalt: string;
  /** Returns the parsed AES key; throws a FieldEncryptionError when none is configured. */
  encryptionKey: () => Buffer;
}

/** The operator for an entity type: its own, else the policy's DEFAULT, else replace. */
export function operatorFor(operators: Readonly<Record<string, OperatorConfig>>, entityType: string): OperatorConfig {
  return operators[entityType] ?? operators.DEFAULT ?? DEFAULT_OPERATOR;
}

/** The text that takes `value`'s place. */
export function applyOperator(value: string, entityType: string, operator: OperatorConfig, ctx: OperatorContext): string {
  switch (operator.type) {
    case 'replace':
      return operator.newValue ?? `<${entityType}>`;
    case 'redact':
      return '';
    case 'mask':
      return mask(value, operator.maskingChar, operator.charsToMask, operator.fromEnd);
    case 'hash':
      return createHash('sha256').update(ctx.hashSalt, 'utf8').update(value, 'utf8').digest('hex');
    case 'encrypt':
      return encryptWithKey(value, ctx.encryptionKey());
    case 'keep':
      return value;
    default: {
      // A config outside the union (e.g. from an older policy) must not leak the value.
      const unknown: never = operator;
      void unknown;
      return `<${entityType}>`;
    }
  }
}

/**
 * Masks `count` code points from the start (or end). Counting code points, not UTF-16
 * units, keeps an emoji or other astral character whole: it is masked as one character
 * and never split into a lone surrogate.
 */
export function mask(value: string, maskingChar: string, count: number, fromEnd: boolean): string {
  const chars = Array.from(value);
  const maskWith = Array.from(maskingChar)[0] ?? '*';
  const n = Math.max(0, Math.min(chars.length, Number.isFinite(count) ? Math.floor(count) : 0));
  if (fromEnd) {
    return chars.slice(0, chars.length - n).join('') + maskWith.repeat(n);
  }
  return maskWith.repeat(n) + chars.slice(n).join('');
}
