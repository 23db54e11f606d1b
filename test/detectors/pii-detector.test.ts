import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPiiDetector, PII_ATLAS_TECHNIQUE, PII_ENTITY_TYPES, PII_OWASP_ID } from '../../src/detectors/pii-recognizers.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { AnalyzedText, TextSpan } from '../../src/detectors/types.js';
import { detector, originalOnly, piiPolicy, scan } from './pii-test-support.js';

const identity = (start: number, end: number): TextSpan => ({ start, end });

describe('createPiiDetector', () => {
  it('returns null when the policy switches PII off', () => {
    expect(createPiiDetector(piiPolicy({ enabled: false }))).toBeNull();
  });

  it('looks only for the entities the policy lists', () => {
    const onlyEmail = createPiiDetector(piiPolicy({ entities: ['EMAIL_ADDRESS'] }))!;
    const text = 'mail bob@example.com or call (212) 736-5000, SSN 536-22-8046';
    expect(scan(text, 0.4, onlyEmail).map((h) => h.entity)).toEqual(['EMAIL_ADDRESS']);
    expect(scan(text).map((h) => h.entity)).toEqual(['EMAIL_ADDRESS', 'PHONE_NUMBER', 'US_SSN']);
  });

  it('an empty entity list means every supported entity', () => {
    const d = createPiiDetector(piiPolicy({ entities: [] }))!;
    expect(scan('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 0.4, d).map((h) => h.entity)).toEqual(['CRYPTO']);
    expect(PII_ENTITY_TYPES).toContain('UK_NHS');
  });

  it('rejects an unknown entity name with the field it came from', () => {
    const build = (): unknown => createPiiDetector(piiPolicy({ entities: ['EMAIL_ADDRESS', 'PERSON'] }));
    expect(build).toThrow(PolicyValidationError);
    expect(build).toThrow(/unsupported PII entity "PERSON"/);
    try {
      build();
    } catch (err) {
      expect((err as PolicyValidationError).location).toBe('detectors.pii.entities');
    }
  });

  it('validates phone regions, accepting "UK" as GB and any case', () => {
    expect(() => createPiiDetector(piiPolicy({ phoneRegions: ['XX'] }))).toThrow(/unknown phone region "XX"/);
    const gb = createPiiDetector(piiPolicy({ phoneRegions: ['uk'] }))!;
    expect(scan('ring 020 7946 0958', 0.4, gb).map((h) => h.entity)).toEqual(['PHONE_NUMBER']);
  });
});

describe('findings', () => {
  it('carry the PII threat shape: LLM02, AML.T0057, entity, severity, no matched text', () => {
    const [f] = detector().detect({ text: originalOnly('card 4111111111111111'), direction: 'OUTPUT' });
    expect(f).toMatchObject({
      type: 'PII',
      detector: 'pii',
      ruleId: 'CREDIT_CARD',
      entityType: 'CREDIT_CARD',
      severity: 'HIGH',
      owaspId: PII_OWASP_ID,
      atlasTechnique: PII_ATLAS_TECHNIQUE,
      spans: [{ start: 5, end: 21 }],
    });
    expect(PII_OWASP_ID).toBe('LLM02');
    expect(PII_ATLAS_TECHNIQUE).toBe('AML.T0057');
    expect(f!.description).not.toContain('4111');
  });

  it('severity follows the entity: SSN HIGH, email MEDIUM, URL LOW', () => {
    const fs = detector().detect({ text: originalOnly('536-22-8046 bob@example.com https://example.com'), direction: 'INPUT' });
    expect(fs.map((f) => [f.entityType, f.severity])).toEqual([
      ['US_SSN', 'HIGH'],
      ['EMAIL_ADDRESS', 'MEDIUM'],
      ['URL', 'LOW'],
    ]);
  });

  it('spans are UTF-16 offsets into the original, after astral characters too', () => {
    const text = '😀😀 mail 😀 bob@example.com';
    const [f] = detector().detect({ text: originalOnly(text), direction: 'INPUT' });
    expect(text.slice(f!.spans[0]!.start, f!.spans[0]!.end)).toBe('bob@example.com');
  });

  it('one span gets one entity: the card beats a phone reading, the license word beats SSN', () => {
    expect(scan('call 4111 1111 1111 1111').map((h) => h.entity)).toEqual(['CREDIT_CARD']);
    expect(scan("driver's license 536228046").map((h) => h.entity)).toEqual(['US_DRIVER_LICENSE']);
    expect(scan('SSN 536228046').map((h) => h.entity)).toEqual(['US_SSN']);
  });

  it('is deterministic', () => {
    const text = 'SSN 536-22-8046, call (212) 736-5000, mail a@b.io';
    const a = detector().detect({ text: originalOnly(text), direction: 'INPUT' });
    const b = detector().detect({ text: originalOnly(text), direction: 'INPUT' });
    expect(b).toEqual(a);
  });
});

describe('views', () => {
  it('finds PII inside a decoded run and reports the whole encoded run', () => {
    const encoded = Buffer.from('contact bob@example.com').toString('base64');
    const original = `payload ${encoded} end`;
    const start = original.indexOf(encoded);
    const text: AnalyzedText = {
      original,
      views: [
        { kind: 'original', text: original, toOriginal: identity },
        { kind: 'decoded', encoding: 'base64', depth: 1, text: 'contact bob@example.com', toOriginal: () => ({ start, end: start + encoded.length }) },
      ],
    };
    const fs = detector().detect({ text, direction: 'INPUT' });
    expect(fs.map((f) => [f.entityType, f.spans])).toEqual([['EMAIL_ADDRESS', [{ start, end: start + encoded.length }]]]);
  });

  it('finds a card hidden by zero-width characters through the normalised view', () => {
    const original = 'card 4111\u200b1111\u200b1111\u200b1111';
    const normalized = 'card 4111111111111111';
    // Map each normalised index to the original index (every zero-width char shifts by one).
    const toOrig = (i: number): number => (i <= 9 ? i : i <= 13 ? i + 1 : i <= 17 ? i + 2 : i + 3);
    const text: AnalyzedText = {
      original,
      views: [
        { kind: 'original', text: original, toOriginal: identity },
        { kind: 'normalized', text: normalized, toOriginal: (s, e) => ({ start: toOrig(s), end: toOrig(e) }) },
      ],
    };
    expect(scan(original).map((h) => h.entity)).toEqual([]);
    const fs = detector().detect({ text, direction: 'INPUT' });
    expect(fs.map((f) => [f.entityType, f.spans])).toEqual([['CREDIT_CARD', [{ start: 5, end: original.length }]]]);
  });

  it('an unchanged normalised view does not duplicate findings', () => {
    const original = 'mail bob@example.com';
    const text: AnalyzedText = {
      original,
      views: [
        { kind: 'original', text: original, toOriginal: identity },
        { kind: 'normalized', text: original, toOriginal: identity },
      ],
    };
    expect(detector().detect({ text, direction: 'INPUT' })).toHaveLength(1);
  });
});

describe('robustness', () => {
  it('never throws; spans are in bounds, non-empty and non-overlapping', () => {
    const alphabet = fc.constantFrom(...'0123456789 -.:/()+@xX#abcDEF😀é\n'.split(''), '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 120 }).map((a) => a.join('')), (text) => {
        const fs = detector().detect({ text: originalOnly(text), direction: 'INPUT' });
        const spans = fs.map((f) => f.spans[0]!).sort((a, b) => a.start - b.start);
        for (const [i, s] of spans.entries()) {
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.end).toBeLessThanOrEqual(text.length);
          expect(s.end).toBeGreaterThan(s.start);
          if (i > 0) expect(s.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
        }
        for (const f of fs) expect(f.confidence).toBeGreaterThanOrEqual(0.25);
      }),
      { numRuns: 300 },
    );
  });

  it('handles a large digit-heavy input in linear time (no pathological backtracking)', () => {
    const text = '1-2.3 4('.repeat(20_000) + ':'.repeat(20_000) + 'a@'.repeat(20_000);
    const fs = detector().detect({ text: originalOnly(text), direction: 'INPUT' });
    expect(Array.isArray(fs)).toBe(true);
  });
});

describe('views from the real normaliser', () => {
  it('finds a card split by zero-width characters and full-width digits, spans in the original', async () => {
    const { analyzeText } = await import('../../src/detectors/normalize/analyze-text.js');
    for (const original of ['card 4111\u200b1111\u200b1111\u200b1111 ok', 'card ４１１１１１１１１１１１１１１１ ok']) {
      const fs = detector().detect({ text: analyzeText(original), direction: 'INPUT' });
      expect(fs.map((f) => f.entityType), original).toEqual(['CREDIT_CARD']);
      expect(fs[0]!.spans, original).toEqual([{ start: 5, end: original.length - 3 }]);
    }
  });

  it('ASCII text gives the same findings with or without the normalised view', async () => {
    const { analyzeText } = await import('../../src/detectors/normalize/analyze-text.js');
    const original = 'Card 4111 1111 1111 1111, SSN 536-22-8046, mail Bob@Example.com, call (212) 736-5000';
    expect(detector().detect({ text: analyzeText(original), direction: 'INPUT' })).toEqual(
      detector().detect({ text: originalOnly(original), direction: 'INPUT' }),
    );
  });
});
