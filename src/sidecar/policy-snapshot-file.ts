/**
 * The last ACKed policy snapshot of each tenant, on local disk, so a sidecar that restarts
 * while the control plane is unreachable enforces what it enforced before.
 *
 * One file per tenant: `<dir>/<tenant>.json` =
 *   {"format": "bulwark.policy-snapshot/v1", "digest": "sha256:<hex>", "snapshot": {...}}
 * where `digest` is SHA-256 over the canonical JSON (sorted keys) of `snapshot`. A file
 * that does not parse, has another format, or whose digest, tenant or content digest does
 * not match is reported as corrupt and not used. (SHA-256 detects corruption, torn writes
 * and bit rot, not an attacker: whoever can write this directory controls the sidecar anyway.)
 *
 * Writes are atomic: a temporary file in the same directory is written and fsynced, renamed
 * over the old one, and the directory is fsynced, so a crash leaves the old or the new file,
 * never a mix.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotDigest, type TenantSnapshotData } from '../policy/policy-snapshot.js';
import { canonicalJson, sha256Hex } from '../policy/policy-version.js';

export const SNAPSHOT_FILE_FORMAT = 'bulwark.policy-snapshot/v1';

/** The JSON form of a snapshot (the revision as a decimal string: JSON has no bigint). */
interface StoredSnapshot {
  tenantId: string;
  version: string;
  revision: string;
  policies: TenantSnapshotData['policies'];
  contentDigest: string;
  createdAt: string;
}

/** What reading a tenant's file gave. */
export type SnapshotFileRead =
  | { kind: 'found'; snapshot: TenantSnapshotData }
  | { kind: 'absent' }
  | { kind: 'corrupt'; reason: string };

export function snapshotFilePath(dir: string, tenantId: string): string {
  return join(dir, `${tenantId}.json`);
}

function toStored(s: TenantSnapshotData): StoredSnapshot {
  return { ...s, revision: s.revision.toString() };
}

/** The file's text for `snapshot`. */
export function encodeSnapshotFile(snapshot: TenantSnapshotData): string {
  const stored = toStored(snapshot);
  return `${JSON.stringify({ format: SNAPSHOT_FILE_FORMAT, digest: `sha256:${sha256Hex(canonicalJson(stored))}`, snapshot: stored }, null, 1)}\n`;
}

/** Checks a file's text; never throws. */
export function decodeSnapshotFile(text: string, tenantId: string): SnapshotFileRead {
  let parsed: { format?: unknown; digest?: unknown; snapshot?: StoredSnapshot };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return { kind: 'corrupt', reason: 'not valid JSON' };
  }
  if (parsed?.format !== SNAPSHOT_FILE_FORMAT) return { kind: 'corrupt', reason: 'unknown format' };
  const stored = parsed.snapshot;
  if (!stored || typeof stored !== 'object') return { kind: 'corrupt', reason: 'no snapshot' };
  if (parsed.digest !== `sha256:${sha256Hex(canonicalJson(stored))}`) return { kind: 'corrupt', reason: 'digest mismatch' };
  if (stored.tenantId !== tenantId) return { kind: 'corrupt', reason: 'written for another tenant' };
  if (!Array.isArray(stored.policies) || !/^\d+$/.test(String(stored.revision))) return { kind: 'corrupt', reason: 'malformed snapshot' };
  if (snapshotDigest(stored.tenantId, stored.policies) !== stored.contentDigest) return { kind: 'corrupt', reason: 'content digest mismatch' };
  return { kind: 'found', snapshot: { ...stored, revision: BigInt(stored.revision) } };
}

export async function readSnapshotFile(dir: string, tenantId: string): Promise<SnapshotFileRead> {
  let text: string;
  try {
    text = await readFile(snapshotFilePath(dir, tenantId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'corrupt', reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  return decodeSnapshotFile(text, tenantId);
}

/** Replaces the tenant's file atomically (temp file + fsync + rename + directory fsync). */
export async function writeSnapshotFile(dir: string, snapshot: TenantSnapshotData): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = snapshotFilePath(dir, snapshot.tenantId);
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(encodeSnapshotFile(snapshot), 'utf8');
    await file.sync();
  } catch (err) {
    await file.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await file.close();
  await rename(temp, target);
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
