/**
 * Persisted policy snapshots on a real file system: round trip, atomic replacement (no
 * temporary files left), and every kind of damage detected (changed byte, truncation, wrong
 * tenant, a recomputed file digest over altered content, garbage) without throwing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotDigest, type TenantSnapshotData } from '../../src/policy/policy-snapshot.js';
import { canonicalJson, sha256Hex } from '../../src/policy/policy-version.js';
import { readSnapshotFile, snapshotFilePath, writeSnapshotFile } from '../../src/sidecar/policy-snapshot-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-snapshot-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(tenantId: string, revision: bigint, rule: string): TenantSnapshotData {
  const policies = [{ policyId: 'default', version: 3, effectiveYaml: `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  tenant: ${tenantId}\n# ${rule}\n`, compiledVersion: 'sha256:abc' }];
  return { tenantId, version: `r${revision}`, revision, policies, contentDigest: snapshotDigest(tenantId, policies), createdAt: '2026-01-01T00:00:00.000Z' };
}

describe('policy snapshot files', () => {
  it('round-trips (revision beyond 2^53 included) and replaces atomically', async () => {
    const first = snapshot('acme', 9_007_199_254_740_993n, 'one');
    await writeSnapshotFile(dir, first);
    expect(await readSnapshotFile(dir, 'acme')).toEqual({ kind: 'found', snapshot: first });
    const second = snapshot('acme', 9_007_199_254_740_994n, 'two');
    await writeSnapshotFile(dir, second);
    expect(await readSnapshotFile(dir, 'acme')).toEqual({ kind: 'found', snapshot: second });
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('reports an absent file as absent, not corrupt', async () => {
    expect(await readSnapshotFile(dir, 'nobody')).toEqual({ kind: 'absent' });
  });

  it('detects a changed byte, truncation, garbage and a file of another tenant', async () => {
    await writeSnapshotFile(dir, snapshot('globex', 5n, 'purple elephant'));
    const path = snapshotFilePath(dir, 'globex');
    const good = readFileSync(path, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['changed byte', good.replace('purple', 'purplE'), /digest mismatch/],
      ['truncated', good.slice(0, good.length / 2), /not valid JSON/],
      ['garbage', '\u0000\u0001binary', /not valid JSON/],
      ['other format', JSON.stringify({ format: 'x' }), /unknown format/],
    ];
    for (const [name, text, reason] of cases) {
      writeFileSync(path, text);
      const read = await readSnapshotFile(dir, 'globex');
      expect(read.kind, name).toBe('corrupt');
      expect(read.kind === 'corrupt' && read.reason, name).toMatch(reason);
    }
    writeFileSync(path, good);
    const moved = await readSnapshotFile(dir, 'globex');
    expect(moved.kind).toBe('found');
    writeFileSync(snapshotFilePath(dir, 'initech'), good);
    expect(await readSnapshotFile(dir, 'initech')).toEqual({ kind: 'corrupt', reason: 'written for another tenant' });
  });

  it('a file digest recomputed over altered content is still caught by the content digest', async () => {
    await writeSnapshotFile(dir, snapshot('hooli', 7n, 'original'));
    const path = snapshotFilePath(dir, 'hooli');
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { digest: string; snapshot: { policies: { effectiveYaml: string }[] } };
    parsed.snapshot.policies[0]!.effectiveYaml += '# injected\n';
    parsed.digest = `sha256:${sha256Hex(canonicalJson(parsed.snapshot))}`;
    writeFileSync(path, JSON.stringify(parsed));
    expect(await readSnapshotFile(dir, 'hooli')).toEqual({ kind: 'corrupt', reason: 'content digest mismatch' });
  });
});
