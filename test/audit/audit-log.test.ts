import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLogWriter } from '../../src/audit/audit-log-writer.js';
import { verifyAuditLog } from '../../src/audit/verify-audit-log.js';

function tempLog(): string {
  return join(mkdtempSync(join(tmpdir(), 'bulwark-audit-')), 'audit.log');
}

async function writeLog(path: string, n: number, hmacKey?: string): Promise<void> {
  const log = await AuditLogWriter.open({ path, hmacKey, checkpointIntervalMs: 0 });
  for (let i = 0; i < n; i++) log.append('action', { agent: `a${i % 3}`, decision: i % 2 ? 'DENY' : 'ALLOW', reason: 'RULE' });
  await log.close();
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

function rewrite(path: string, edit: (lines: string[]) => string[]): void {
  writeFileSync(path, `${edit(lines(path)).join('\n')}\n`);
}

describe('audit log', () => {
  it('an intact chain verifies, with its final checkpoint', async () => {
    const path = tempLog();
    await writeLog(path, 10);
    const report = verifyAuditLog([path], { checkpoints: `${path}.checkpoints` });
    expect(report).toMatchObject({ ok: true, entries: 10, firstSeq: 0, lastSeq: 9, checkpointsVerified: 1 });
  });

  it('a restarted writer continues the chain', async () => {
    const path = tempLog();
    await writeLog(path, 3);
    await writeLog(path, 4);
    expect(verifyAuditLog([path], { checkpoints: `${path}.checkpoints` })).toMatchObject({ ok: true, entries: 7, checkpointsVerified: 2 });
  });

  it('an edited entry is named', async () => {
    const path = tempLog();
    await writeLog(path, 6);
    rewrite(path, (ls) => ls.map((l, i) => (i === 3 ? l.replace('"DENY"', '"ALLOW"') : l)));
    const r = verifyAuditLog([path]);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ line: 4, seq: 3 });
    expect(r.problem?.message).toMatch(/seq 3 was edited/);
  });

  it('a deleted entry is named', async () => {
    const path = tempLog();
    await writeLog(path, 6);
    rewrite(path, (ls) => ls.filter((_, i) => i !== 2));
    const r = verifyAuditLog([path]);
    expect(r.problem).toMatchObject({ line: 3, seq: 3 });
    expect(r.problem?.message).toMatch(/expected seq 2 but found seq 3: 1 entry deleted/);
  });

  it('reordered entries are named', async () => {
    const path = tempLog();
    await writeLog(path, 6);
    rewrite(path, (ls) => [ls[0], ls[1], ls[3], ls[2], ls[4], ls[5]] as string[]);
    const r = verifyAuditLog([path]);
    expect(r.problem).toMatchObject({ line: 3, seq: 3 });
    expect(r.problem?.message).toMatch(/reordered/);
  });

  it('a rewritten chain (recomputed hashes) is caught by the HMAC key', async () => {
    const path = tempLog();
    await writeLog(path, 4, 'a-long-audit-hmac-key');
    expect(verifyAuditLog([path], { hmacKey: 'a-long-audit-hmac-key' }).ok).toBe(true);
    expect(verifyAuditLog([path], { hmacKey: 'some-other-key-value' }).problem?.message).toMatch(/edited/);
    expect(verifyAuditLog([path]).problem?.message).toMatch(/HMAC-protected/);
  });

  it('truncation: whole entries removed at the end are caught by a checkpoint; half a line always', async () => {
    const path = tempLog();
    await writeLog(path, 8);
    rewrite(path, (ls) => ls.slice(0, 5));
    expect(verifyAuditLog([path]).ok).toBe(true); // a hash chain alone cannot see this
    const r = verifyAuditLog([path], { checkpoints: `${path}.checkpoints` });
    expect(r.ok).toBe(false);
    expect(r.problem?.message).toMatch(/truncated: checkpoint at seq 7 but the log ends at seq 4/);

    const cut = tempLog();
    await writeLog(cut, 3);
    const text = readFileSync(cut, 'utf8');
    writeFileSync(cut, text.slice(0, text.length - 20));
    expect(verifyAuditLog([cut]).problem).toMatchObject({ line: 3, message: expect.stringMatching(/partial entry/) });
  });

  it('rotation by size keeps one chain across files', async () => {
    const path = tempLog();
    const log = await AuditLogWriter.open({ path, maxFileBytes: 2_000, checkpointIntervalMs: 0, flushIntervalMs: 1 });
    for (let i = 0; i < 60; i++) {
      log.append('action', { agent: 'a', decision: 'ALLOW', i });
      if (i % 5 === 4) await log.flush();
    }
    await log.close();
    const dir = join(path, '..');
    const rotated = readdirSync(dir).filter((f) => /^audit\.log\.\d{6}$/.test(f)).sort().map((f) => join(dir, f));
    expect(rotated.length).toBeGreaterThan(2);
    const report = verifyAuditLog([...rotated, path], { checkpoints: `${path}.checkpoints` });
    expect(report).toMatchObject({ ok: true, entries: 60, lastSeq: 59 });
    expect(report.checkpointsVerified).toBeGreaterThan(2);
    // Leaving out a middle file breaks the chain there.
    const gap = verifyAuditLog([rotated[0] as string, ...rotated.slice(2), path]);
    expect(gap.problem?.message).toMatch(/deleted/);
  });

  it('a partial last line from a crash: the writer continues in a fresh file', async () => {
    const path = tempLog();
    await writeLog(path, 3);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}{"v":1,"seq":3,"ti`);
    await writeLog(path, 2);
    expect(existsSync(`${path}.000001`)).toBe(true);
    const report = verifyAuditLog([`${path}.000001`, path]);
    expect(report.problem?.message).toMatch(/partial entry/);
    expect(verifyAuditLog([path]).notes[0]).toMatch(/start at seq 3/);
  });
});
