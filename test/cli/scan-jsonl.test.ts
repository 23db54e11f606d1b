import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { BLOCK_PHRASE_POLICY, writePolicy } from './policy-fixtures.js';

const INJECTION_DATA = new URL('../../../shared/data/injection.jsonl', import.meta.url);
const blockPolicy = writePolicy('jsonl-block.yaml', BLOCK_PHRASE_POLICY);

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('bulwark scan --jsonl', () => {
  it('writes one result per line in order; bad lines become error lines and the run continues', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'What is the capital of France?' }),
      '{not json',
      JSON.stringify({ id: 7, body: 'no text field' }),
      '',
      JSON.stringify({ id: 'b', text: 'we saw a purple elephant' }),
      '[1, 2]',
      JSON.stringify({ text: 'no id here' }),
      JSON.stringify({ id: 'c', text: 42 }),
    ].join('\n');
    const r = await runCli(['scan', '--jsonl', '--policy', blockPolicy, '--workers', '2'], input + '\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = parseLines(r.stdout);
    expect(out).toHaveLength(7); // the blank line is skipped
    expect(out[0]).toMatchObject({ id: 'a', action: 'ACTION_ALLOW', allowed: true, threats: [] });
    expect(out[1]).toEqual({ error: 'line is not valid JSON', line: 2 });
    expect(out[2]).toEqual({ error: 'field "text" is missing or not a string', line: 3, id: 7 });
    expect(out[3]).toMatchObject({ id: 'b', action: 'ACTION_BLOCK', allowed: false });
    expect(out[4]).toEqual({ error: 'line is not a JSON object', line: 6 });
    expect(out[5]).not.toHaveProperty('id');
    expect(out[5]).toMatchObject({ action: 'ACTION_ALLOW' });
    expect(out[6]).toEqual({ error: 'field "text" is missing or not a string', line: 8, id: 'c' });
    for (const o of [out[0], out[3], out[5]]) {
      expect(Object.keys(o!).filter((k) => k !== 'id').sort()).toEqual([
        'action',
        'allowed',
        'latency_ms',
        'policy_version',
        'redacted_content',
        'threats',
      ]);
    }
  });

  it('reads the text from --field and redacts PII without echoing it in threats', async () => {
    const r = await runCli(['scan', '--jsonl', '--field', 'prompt'], JSON.stringify({ id: 1, prompt: 'mail jane.roe@example.com' }));
    const [res] = parseLines(r.stdout);
    expect(res).toMatchObject({ id: 1, action: 'ACTION_REDACT', redacted_content: 'mail <EMAIL_ADDRESS>' });
    expect(JSON.stringify(res!.threats)).not.toContain('jane.roe');
  });

  it('keeps input order over thousands of lines of mixed sizes on several workers', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ id: i, text: i % 10 === 0 ? `purple elephant ${'pad '.repeat(500)}` : `line ${i}` }),
    );
    const r = await runCli(['scan', '--jsonl', '--policy', blockPolicy, '--workers', '2'], lines.join('\n'));
    expect(r.code).toBe(0);
    const out = parseLines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(out.every((o, i) => o.action === (i % 10 === 0 ? 'ACTION_BLOCK' : 'ACTION_ALLOW'))).toBe(true);
  });

  it('--stats prints a summary on stderr; --no-time-budget keeps results and versions', async () => {
    const input = ['{"text":"purple elephant"}', '{"text":"hello"}', 'oops'].join('\n');
    const plain = await runCli(['scan', '--jsonl', '--policy', blockPolicy], input);
    const r = await runCli(['scan', '--jsonl', '--policy', blockPolicy, '--stats', '--no-time-budget', '--workers', '1'], input);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^scanned 3 lines in [\d.]+ s \(\d+ lines\/s, 1 workers\); 1 error lines, 0 results with SCANNER_ERROR\n$/);
    const strip = (s: string): unknown[] => parseLines(s).map((o) => ({ ...o, latency_ms: 0 }));
    expect(strip(r.stdout)).toEqual(strip(plain.stdout));
  });

  it('exits 1 for an invalid policy before reading input', async () => {
    const bad = writePolicy('jsonl-bad.yaml', BLOCK_PHRASE_POLICY.replace('phrases', 'phrazes'));
    const r = await runCli(['scan', '--jsonl', '--policy', bad], '{"text":"x"}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('jsonl-bad.yaml:6 spec.customRules[0].phrazes');
    expect(r.stdout).toBe('');
  });

  describe.skipIf(!existsSync(INJECTION_DATA))('over the labelled injection data (../shared/data)', () => {
    it('scans 2,000 real rows, one result per row in order, and blocks most attacks', async () => {
      const rows = readFileSync(INJECTION_DATA, 'utf8').trim().split('\n').slice(0, 2000);
      const input = rows.map((l, i) => JSON.stringify({ id: i, ...(JSON.parse(l) as object) })).join('\n');
      const r = await runCli(['scan', '--jsonl'], input);
      expect(r.code).toBe(0);
      const out = parseLines(r.stdout);
      expect(out.map((o) => o.id)).toEqual(rows.map((_, i) => i));
      expect(out.filter((o) => 'error' in o)).toEqual([]);
    }, 120_000);
  });
});
