import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { feedbackHash } from '../../src/engine/feedback-text.js';
import { exportFeedbackJsonl, trainingRow } from '../../src/feedback/feedback-export.js';
import { appendFeedbackJournal, readFeedbackJournal } from '../../src/feedback/feedback-journal.js';
import { withOverlay } from '../../src/feedback/feedback-pool.js';
import { FeedbackError, FeedbackStore } from '../../src/feedback/feedback-store.js';
import { RecentScans } from '../../src/feedback/recent-scans.js';
import { defaultPolicySet } from '../../src/policy/load-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-feedback-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FeedbackStore', () => {
  it('turns each kind of report into the matching overlay entry', () => {
    const store = new FeedbackStore();
    store.add({ tenant: 'a', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'h1', ruleIds: ['r1'], threatType: 'PII' }, '1', 't');
    store.add({ tenant: 'a', kind: 'FALSE_POSITIVE', subject: 'phrase', text: '  test@example.com ' }, '2', 't');
    store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'Bad text' }, '3', 't');
    store.add({ tenant: 'b', kind: 'FALSE_NEGATIVE', subject: 'phrase', text: 'evil phrase' }, '4', 't');
    expect(store.overlay()).toEqual({
      revision: 4,
      tenants: {
        a: {
          allowContent: [{ id: '1', contentSha256: 'h1', ruleIds: ['r1'], threatType: 'PII' }],
          allowSpans: [{ id: '2', textSha256: feedbackHash('test@example.com') }],
          denyContent: [{ id: '3', contentSha256: feedbackHash('bad   TEXT') }],
          denyPhrases: [],
        },
        b: { allowContent: [], allowSpans: [], denyContent: [], denyPhrases: [{ id: '4', phrase: 'evil phrase' }] },
      },
    });
    expect(store.entries('a').map((e) => e.id)).toEqual(['1', '2', '3']);
    expect(store.entries().length).toBe(4);
  });

  it('merges a repeated report instead of growing, and lets the latest kind win', () => {
    const store = new FeedbackStore({ maxEntriesPerTenant: 2 });
    store.add({ tenant: 'a', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'h', ruleIds: ['r1'] }, '1', 't');
    store.add({ tenant: 'a', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'h', ruleIds: ['r2'] }, '2', 't');
    expect(store.entries('a')).toMatchObject([{ id: '2', ruleIds: ['r1', 'r2'] }]);
    store.add({ tenant: 'a', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'h' }, '3', 't');
    expect(store.entries('a')[0]!.ruleIds).toBeUndefined(); // one report covered every rule
    store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'content', sha256: 'h' }, '4', 't');
    expect(store.entries('a').map((e) => [e.id, e.kind])).toEqual([['4', 'FALSE_NEGATIVE']]);
  });

  it('refuses invalid reports and tenants over their limit, without quoting the text', () => {
    const store = new FeedbackStore({ maxEntriesPerTenant: 1 });
    const refused = (f: () => unknown): string => {
      try {
        f();
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(FeedbackError);
        return `${(err as FeedbackError).code}: ${(err as Error).message}`;
      }
    };
    expect(refused(() => store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'phrase', text: '   ' }, '1', 't'))).toMatch(/^INVALID_ARGUMENT: phrase is empty/);
    expect(refused(() => store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'phrase', text: 'x'.repeat(300) }, '1', 't'))).toMatch(/longer than 256/);
    expect(refused(() => store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'content', text: '' }, '1', 't'))).toMatch(/content is empty/);
    expect(refused(() => store.add({ tenant: '', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'secret words' }, '1', 't'))).not.toContain('secret words');
    store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'one' }, '1', 't');
    expect(refused(() => store.add({ tenant: 'a', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'two' }, '2', 't'))).toMatch(/^RESOURCE_EXHAUSTED/);
    expect(refused(() => store.add({ tenant: 'b', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'two' }, '2', 't'))).toBe('accepted');
  });
});

describe('journal and export', () => {
  it('round-trips entries and skips a torn line', async () => {
    const path = join(dir, 'journal.jsonl');
    const store = new FeedbackStore();
    const a = store.add({ tenant: 'acme', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'Missed attack' }, 'id-1', '2026-01-01T00:00:00.000Z');
    const b = store.add({ tenant: 'acme', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'abc', scanId: 'scan-9', ruleIds: ['r'] }, 'id-2', '2026-01-02T00:00:00.000Z');
    await appendFeedbackJournal(path, a);
    await appendFeedbackJournal(path, b);
    appendFileSync(path, '{"id":"torn","tenant":"ac');
    const { entries, skippedLines } = readFeedbackJournal(path);
    expect(entries).toEqual([a, b]);
    expect(skippedLines).toBe(1);
    const restored = new FeedbackStore();
    restored.restore(entries);
    expect(restored.overlay().tenants).toEqual(store.overlay().tenants);
    expect(readFeedbackJournal(join(dir, 'missing.jsonl'))).toEqual({ entries: [], skippedLines: 0 });
  });

  it('writes training rows: label 1 for a missed threat, 0 for a false alarm, text only when reported', () => {
    const store = new FeedbackStore();
    const fn = store.add({ tenant: 'acme', kind: 'FALSE_NEGATIVE', subject: 'content', text: 'Missed attack', threatType: 'PROMPT_INJECTION' }, 'x', 'now');
    const fp = store.add({ tenant: 'other', kind: 'FALSE_POSITIVE', subject: 'content', sha256: 'abc', scanId: 's' }, 'y', 'now');
    expect(trainingRow(fn)).toEqual({
      text: 'Missed attack',
      text_sha256: feedbackHash('Missed attack'),
      label: 1,
      source: 'feedback',
      tenant: 'acme',
      subset: 'content',
      meta: { feedback_id: 'x', kind: 'FALSE_NEGATIVE', created_at: 'now', threat_type: 'PROMPT_INJECTION' },
    });
    expect(trainingRow(fp)).not.toHaveProperty('text');
    expect(exportFeedbackJsonl([fn, fp], { tenant: 'acme' }).trim().split('\n')).toHaveLength(1);
    expect(exportFeedbackJsonl([fn, fp], { requireText: true }).trim().split('\n')).toHaveLength(1);
    expect(exportFeedbackJsonl([fn, fp]).trim().split('\n')).toHaveLength(2);
  });
});

describe('recent scans and the enforced set', () => {
  it('remembers a bounded number of scans, least recently used out first', () => {
    const recent = new RecentScans(2);
    const scan = { tenantId: 't', contentSha256: 'h', threats: [] };
    recent.remember('a', scan);
    recent.remember('b', scan);
    recent.get('a');
    recent.remember('c', scan);
    expect([recent.get('a'), recent.get('b'), recent.get('c')].map(Boolean)).toEqual([true, false, true]);
  });

  it('attaches the overlay to a policy set under a derived version, and leaves it alone when empty', () => {
    const set = defaultPolicySet();
    expect(withOverlay(set, undefined)).toBe(set);
    expect(withOverlay(set, { revision: 3, tenants: {} })).toBe(set);
    const overlay = { revision: 3, tenants: { a: { allowContent: [], allowSpans: [], denyContent: [{ id: 'x', contentSha256: 'h' }], denyPhrases: [] } } };
    const merged = withOverlay(set, overlay);
    expect(merged.version).toBe(`${set.version}+feedback.3`);
    expect(merged.feedback).toBe(overlay);
    expect(merged.tenants).toBe(set.tenants);
  });
});
