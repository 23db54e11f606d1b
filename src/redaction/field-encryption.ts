/**
 * Reversible encryption of one value for the `encrypt` operator: AES-256-GCM with a
 * per-tenant base64 key, a fresh random 96-bit IV per value, and the version header as
 * associated data (so a token cannot be re-labelled as another format version).
 *
 * Token format (self-describing, URL- and text-safe, findable with
 * {@link ENCRYPTED_TOKEN_PATTERN}):
 *
 *   bwenc:v1:<base64url(iv[12] ‖ ciphertext ‖ tag[16])>
 *
 * Errors never include the plaintext or the key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION_PREFIX = 'bwenc:v1:';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from(VERSION_PREFIX, 'ascii');

/** Finds encryption tokens inside redacted text (e.g. for `bulwark decrypt`). */
export const ENCRYPTED_TOKEN_PATTERN = /bwenc:v1:[A-Za-z0-9_-]{38,}/g;

/** A key, token or value that cannot be used; the message says which, never what. */
export class FieldEncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldEncryptionError';
  }
}

/**
 * Decodes and checks a base64 (or base64url) AES-256 key. Throws when the key is empty
 * or is not exactly 32 bytes.
 */
export function parseEncryptionKey(keyBase64: string): Buffer {
  if (keyBase64.length === 0) {
    throw new FieldEncryptionError('no encryption key configured (policy encryptionKey is empty)');
  }
  const trimmed = keyBase64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new FieldEncryptionError('encryption key is not base64');
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new FieldEncryptionError(`encryption key must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
  }
  return key;
}

/** Encrypts `plaintext` (UTF-8) into a token. Each call uses a new IV, so tokens differ. */
export function encryptValue(plaintext: string, keyBase64: string): string {
  return encryptWithKey(plaintext, parseEncryptionKey(keyBase64));
}

/** As {@link encryptValue} with an already parsed key (the redactor parses once per call). */
export function encryptWithKey(plaintext: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return VERSION_PREFIX + Buffer.concat([iv, ciphertext, tag]).toString('base64url');
}

/**
 * Reverses {@link encryptValue}. Throws {@link FieldEncryptionError} when the token is
 * malformed, was made with another key, or was modified in any way.
 */
export function decryptValue(token: string, keyBase64: string): string {
  const key = parseEncryptionKey(keyBase64);
  const trimmed = token.trim();
  if (!trimmed.startsWith(VERSION_PREFIX)) {
    throw new FieldEncryptionError(`not an encrypted value (expected prefix "${VERSION_PREFIX}")`);
  }
  const body = trimmed.slice(VERSION_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new FieldEncryptionError('encrypted value is not base64url');
  const raw = Buffer.from(body, 'base64url');
  // Base64 can spell the same bytes several ways (unused low bits in the last character);
  // only the canonical spelling is accepted, so any change to a token is detected.
  if (raw.toString('base64url') !== body) throw new FieldEncryptionError('encrypted value is not canonical base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new FieldEncryptionError('encrypted value is truncated');
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const ciphertext = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(AAD);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new FieldEncryptionError('encrypted value failed authentication (wrong key or modified token)');
  }
}
