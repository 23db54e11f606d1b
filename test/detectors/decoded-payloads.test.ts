import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { createPiiDetector } from '../../src/detectors/pii-recognizers.js';
import { createSecretDetector } from '../../src/detectors/secret-patterns.js';
import { defaultPolicySet } from '../../src/policy/load-policy.js';

// Data smuggled inside base64 must be found with its case and '@' intact, and its span must
// cover the whole encoded run in the original text.
describe('PII and secrets inside encoded payloads', () => {
  const policy = defaultPolicySet().tenants.default!.default!;
  const payload = 'contact alice.smith@example.com, db postgres://admin:Zq8vLx2Wp9Rt4Yb7@db.internal:5432/app';
  const encoded = Buffer.from(payload).toString('base64');
  const text = `here is the data: ${encoded} thanks`;
  const analyzed = analyzeText(text);
  const run = { start: text.indexOf(encoded), end: text.indexOf(encoded) + encoded.length };

  it('keeps the raw decoded payload on the decoded view', () => {
    const decoded = analyzed.views.find((v) => v.kind === 'decoded');
    expect(decoded?.rawText).toBe(payload);
  });

  it('finds an email inside base64, mapped to the encoded run', () => {
    const findings = createPiiDetector(policy)!.detect({ text: analyzed, direction: 'INPUT' });
    const email = findings.find((f) => f.entityType === 'EMAIL_ADDRESS');
    expect(email?.spans[0]).toEqual(run);
  });

  it('finds a connection-string password inside base64', () => {
    const findings = createSecretDetector(policy)!.detect({ text: analyzed, direction: 'INPUT' });
    expect(findings.map((f) => f.entityType)).toContain('DATABASE_CONNECTION_STRING');
  });

  it('finds nothing in a benign base64 payload', () => {
    const benign = analyzeText(`blob ${Buffer.from('the quick brown fox jumps over the lazy dog').toString('base64')}`);
    expect(createPiiDetector(policy)!.detect({ text: benign, direction: 'INPUT' })).toEqual([]);
    expect(createSecretDetector(policy)!.detect({ text: benign, direction: 'INPUT' })).toEqual([]);
  });
});
