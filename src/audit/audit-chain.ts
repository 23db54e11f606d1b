/**
 * The hash chain of the audit log. Every entry names the previous entry's hash and carries its
 * own hash over a canonical encoding (JSON with sorted keys) of everything else, so editing,
 * deleting or reordering entries breaks the chain where it happened. With a key
 * (BULWARK_AUDIT_HMAC_KEY) the hash is an HMAC: someone who can write the file but does not
 * hold the key cannot forge a consistent chain.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../policy/policy-version.js';

/** The `prev` of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_FORMAT_VERSION = 1;
/** Environment variable holding the HMAC key (any string of at least 16 characters). */
export const AUDIT_HMAC_KEY_ENV = 'BULWARK_AUDIT_HMAC_KEY';

export type AuditKind = 'action' | 'scan' | 'agent-release';

/** An entry without its own hash: exactly what is hashed. */
export interface AuditRecord {
  v: number;
  seq: number;
  time: string;
  prev: string;
  kind: AuditKind;
  alg: 'sha256' | 'hmac-sha256';
  body: Record<string, unknown>;
}

export interface AuditEntry extends AuditRecord {
  hash: string;
}

/** The hash of a record: SHA-256, or HMAC-SHA256 with `key`. */
export function hashRecord(record: AuditRecord, key: string | undefined): string {
  const text = canonicalJson(record);
  return key ? createHmac('sha256', key).update(text).digest('hex') : createHash('sha256').update(text).digest('hex');
}

/** A checkpoint: the chain's head at one moment, to be kept somewhere the log's writer cannot rewrite. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  time: string;
  /** HMAC over seq, hash and time when a key is configured ("" otherwise). */
  mac: string;
}

export function checkpointMac(seq: number, hash: string, time: string, key: string | undefined): string {
  return key ? createHmac('sha256', key).update(`checkpoint:${seq}:${hash}:${time}`).digest('hex') : '';
}

/** A short keyed digest of a value that must not be stored (session ids, goals, paths). */
export function auditDigest(value: string, key: string | undefined): string {
  if (value === '') return '';
  return createHmac('sha256', key ?? 'bulwark-audit-digest').update(value).digest('hex').slice(0, 16);
}
