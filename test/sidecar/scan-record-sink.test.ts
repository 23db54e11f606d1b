/**
 * The record builder the scan handlers call: content-free records (keyed hash, code-point
 * length, summaries per rule with counts, entity counts), ids cut to the ingest bounds, the
 * stream form equal to the unary one for the same text, tenants that are not recorded cost
 * nothing, and a failure inside never reaches the scan.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ScanResult, ThreatResult } from '../../src/engine/types.js';
import { createRecordBuilder, type ScanRecordContext } from '../../src/sidecar/scan-record-sink.js';
import type { ScanRecordData } from '../../src/store/record-types.js';

const threat = (over: Partial<ThreatResult>): ThreatResult => ({
  type: 'PII', severity: 'MEDIUM', confidence: 0.9, detector: 'pii', ruleId: 'pii.email', spans: [{ start: 0, end: 5 }],
  entityType: 'EMAIL_ADDRESS', owaspId: '', atlasTechnique: '', description: '', action: 'REDACT', ...over,
});
const result: ScanResult = {
  action: 'BLOCK',
  threats: [threat({}), threat({ severity: 'HIGH' }), threat({ type: 'CUSTOM_RULE', ruleId: 'no-purple', detector: 'custom', entityType: '', action: 'BLOCK' })],
  policyId: 'default',
  policyVersion: 'sha256:abc',
  latencyMs: 1,
};
const ctx = (over: Partial<ScanRecordContext> = {}): ScanRecordContext => ({
  scanId: randomUUID(), requestId: 'req-1', agentId: 'agent-1', tenantId: 'acme', direction: 'INPUT', startedAt: Date.parse('2026-01-01T00:00:00Z'), ...over,
});

function builder(records: (t: string) => boolean = () => true) {
  const out: ScanRecordData[] = [];
  const errors: unknown[] = [];
  const sink = createRecordBuilder({ nodeId: 'node-1', records, hashKeyOf: (t) => `key-${t}`, push: (r) => out.push(r), onError: (e) => errors.push(e) });
  return { sink, out, errors };
}

describe('scan record builder', () => {
  it('builds a content-free record with a keyed hash, summaries and entity counts', () => {
    const { sink, out } = builder();
    const text = 'mail a@b.example about the purple elephant 🐘';
    sink.scanned(ctx(), text, result, 2.5);
    const r = out[0]!;
    expect(r.contentHash).toBe(`hmac-sha256:${createHmac('sha256', 'key-acme').update(text).digest('hex')}`);
    expect(r.contentLength).toBe([...text].length);
    expect(r.entityCounts).toEqual({ EMAIL_ADDRESS: 2 });
    expect(r.threats).toEqual([
      { type: 'PII', severity: 'HIGH', ruleId: 'pii.email', detector: 'pii', entityType: 'EMAIL_ADDRESS', count: 2, action: 'REDACT' },
      { type: 'CUSTOM_RULE', severity: 'MEDIUM', ruleId: 'no-purple', detector: 'custom', entityType: '', count: 1, action: 'BLOCK' },
    ]);
    expect(r).toMatchObject({ action: 'BLOCK', sidecarId: 'node-1', occurredAt: '2026-01-01T00:00:00.000Z', latencyMs: 2.5, policyVersion: 'sha256:abc' });
    expect(JSON.stringify(r)).not.toContain('elephant');
    expect(JSON.stringify(r)).not.toContain('a@b.example');
  });

  it('the same text under another tenant key hashes differently; long ids are cut to 128', () => {
    const { sink, out } = builder();
    sink.scanned(ctx(), 'same text', result, 1);
    sink.scanned(ctx({ tenantId: 'globex', requestId: 'r'.repeat(300), agentId: 'a'.repeat(300) }), 'same text', result, 1);
    expect(out[0]!.contentHash).not.toBe(out[1]!.contentHash);
    expect(out[1]!.requestId).toHaveLength(128);
    expect(out[1]!.agentId).toHaveLength(128);
  });

  it('a stream record equals the unary one for the same text, and is emitted once', () => {
    const { sink, out } = builder();
    const c = ctx();
    const stream = sink.openStream(c);
    stream.addContent('mail a@b.example about ');
    stream.addContent('the purple elephant 🐘');
    stream.addWindow({ ...result, threats: result.threats.slice(0, 2), releaseLength: 0, releasedText: '', latencyMs: 1 });
    stream.addWindow({ ...result, threats: result.threats.slice(2), releaseLength: 0, releasedText: '', latencyMs: 1.5 });
    stream.finish('BLOCK');
    stream.finish('BLOCK');
    const unary = builder();
    unary.sink.scanned(c, 'mail a@b.example about the purple elephant 🐘', result, 2.5);
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(unary.out[0]);
  });

  it('tenants that are not recorded push nothing; a failure never reaches the caller', () => {
    const { sink, out, errors } = builder((t) => t === 'acme');
    sink.scanned(ctx({ tenantId: 'default' }), 'text', result, 1);
    sink.openStream(ctx({ tenantId: 'default' })).finish('ALLOW');
    expect(out).toEqual([]);
    const broken = createRecordBuilder({ nodeId: 'n', records: () => true, hashKeyOf: () => { throw new Error('boom'); }, push: () => undefined, onError: (e) => errors.push(e) });
    expect(() => broken.scanned(ctx(), 'text', result, 1)).not.toThrow();
    expect(() => broken.openStream(ctx()).finish('ALLOW')).not.toThrow();
    expect(errors).toHaveLength(2);
  });
});
