import { describe, expect, it } from 'vitest';
import { canonicalHost, canonicalHostPattern, HostMatcher } from '../../src/actions/host-names.js';
import { parseActionUrl } from '../../src/actions/action-url.js';
import { action, runtime } from './action-helpers.js';

const POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  actionRules:
    - id: internal-only
      target: http_request
      hosts: { allow: [internal.acme.example, apple.com, '*.cdn.acme.example'], deny: [127.0.0.1, localhost] }
      decision: ALLOW
`;

describe('URL tricks', () => {
  const rt = runtime(POLICY);
  let n = 0;
  // A fresh agent per URL: a run of refused URLs would (rightly) quarantine one agent.
  const decide = (url: string) => rt.checkAction(action({ agentId: `agent-${n++}`, target: 'http_request', parameters: { url } }));

  it('the plain allowed forms pass: mixed case, trailing dot, percent-decoded by the parser only when not disguised', async () => {
    for (const url of ['https://internal.acme.example/x', 'HTTPS://Internal.ACME.Example/x', 'https://internal.acme.example./x', 'https://img.cdn.acme.example/a.png']) {
      expect((await decide(url)).decision, url).toBe('ALLOW');
    }
  });

  it('disguised hosts are refused', async () => {
    const cases: Array<[string, string]> = [
      ['http://internal.acme.example@evil.com/', 'SUSPICIOUS_URL'], // userinfo: the host is evil.com
      ['http://evil.com\\@internal.acme.example/', 'SUSPICIOUS_URL'], // backslash
      ['http:\\\\evil.com\\internal.acme.example', 'SUSPICIOUS_URL'],
      ['http://internal%2Eacme%2Eexample/', 'SUSPICIOUS_URL'], // percent-encoded host
      ['http://[::ffff:127.0.0.1]/admin', 'HOST_NOT_ALLOWED'], // IPv4-mapped IPv6 = 127.0.0.1, denied
      ['http://2130706433/', 'HOST_NOT_ALLOWED'], // decimal IPv4 = 127.0.0.1
      ['http://0x7f.1/', 'HOST_NOT_ALLOWED'],
      ['http://localhost./', 'HOST_NOT_ALLOWED'],
      ['https://\u0430pple.com/login', 'HOST_NOT_ALLOWED'], // Cyrillic а: xn--pple-43d.com, not apple.com
      ['https://internal.acme.example.evil.com/', 'HOST_NOT_ALLOWED'],
      ['https://cdn.acme.example/', 'HOST_NOT_ALLOWED'], // *.x covers subdomains, not x
      ['http://169.254.169.254/latest/meta-data/', 'SUSPICIOUS_URL'],
      ['javascript://internal.acme.example/%0aalert(1)', 'SUSPICIOUS_URL'],
      ['http://internal.acme.example:80 /', 'SUSPICIOUS_URL'],
      ['not a url at all', 'SUSPICIOUS_URL'], // a url parameter that does not parse,
    ];
    for (const [url, code] of cases) {
      const d = await decide(url);
      expect(d.decision, url).toBe('DENY');
      expect(d.reasonCode, url).toBe(code);
    }
  });

  it('canonical hosts and patterns', () => {
    expect(canonicalHost('Internal.Acme.Example.')).toBe('internal.acme.example');
    expect(canonicalHost('[::ffff:7f00:1]')).toBe('127.0.0.1');
    expect(canonicalHostPattern('bücher.example')).toBe('xn--bcher-kva.example');
    expect(canonicalHostPattern('::1')).toBe('[::1]');
    expect(canonicalHostPattern('http://x/')).toBeUndefined();
    expect(canonicalHostPattern('*.10.0.0.1')).toBeUndefined();
    const m = new HostMatcher(['*.acme.example', 'api.partner.example']);
    expect(m.matches('a.b.acme.example')).toBe(true);
    expect(m.matches('acme.example')).toBe(false);
    expect(m.matches('evilacme.example')).toBe(false);
    expect(parseActionUrl('https://user:pw@internal.acme.example/')?.host).toBe('internal.acme.example');
    expect(parseActionUrl('https://user:pw@internal.acme.example/')?.suspicious.length).toBe(1);
  });
});
