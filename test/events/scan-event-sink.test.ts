import { describe, expect, it } from 'vitest';
import type { ScanResult, StreamWindowResult, ThreatResult } from '../../src/engine/types.js';
import { createScanEventSink } from '../../src/events/scan-event-sink.js';
import type { ScanRecordContext } from '../../src/sidecar/scan-record-sink.js';
import type { ScanRecordData } from '../../src/store/record-types.js';

const ctx: ScanRecordContext = { scanId: 's1', requestId: 'r1', agentId: 'a1', tenantId: 'acme', direction: 'OUTPUT', startedAt: Date.parse('2026-11-22T05:00:00Z') };
const threat: ThreatResult = { type: 'SECRET', severity: 'CRITICAL', confidence: 1, detector: 'secrets', ruleId: 'aws-key', spans: [{ start: 0, end: 4 }], entityType: 'AWS_ACCESS_KEY', owaspId: '', atlasTechnique: '', description: '', action: 'BLOCK' };
const result = (threats: ThreatResult[]): ScanResult => ({ action: threats.length ? 'BLOCK' : 'ALLOW', threats, policyId: 'default', policyVersion: 'v1', latencyMs: 1 });
const windowOf = (threats: ThreatResult[]): StreamWindowResult => ({ ...result(threats), releaseLength: 0, releasedText: '' });

function sink(sample = 0) {
  const records: ScanRecordData[] = [];
  const errors: unknown[] = [];
  return { records, errors, sink: createScanEventSink({ nodeId: 'n1', scanCompletedSample: sample, emit: (r) => records.push(r), onError: (e) => errors.push(e) }) };
}

describe('createScanEventSink', () => {
  it('reports a unary scan with threats: summaries, counts, length, no hash', () => {
    const { records, sink: s } = sink();
    s.scanned(ctx, 'AKIA… 😀', result([threat, threat]), 2.5);
    expect(records).toEqual([
      expect.objectContaining({ scanId: 's1', tenantId: 'acme', sidecarId: 'n1', direction: 'OUTPUT', action: 'BLOCK', contentHash: '', contentLength: 7, latencyMs: 2.5, entityCounts: { AWS_ACCESS_KEY: 2 }, occurredAt: '2026-11-22T05:00:00.000Z' }),
    ]);
    expect(records[0]!.threats).toEqual([expect.objectContaining({ ruleId: 'aws-key', count: 2 })]);
  });

  it('skips threat-free scans unless sampled', () => {
    const off = sink(0);
    for (let i = 0; i < 50; i++) off.sink.scanned(ctx, 'hello', result([]), 1);
    expect(off.records).toHaveLength(0);
    const all = sink(1);
    all.sink.scanned(ctx, 'hello', result([]), 1);
    expect(all.records).toHaveLength(1);
  });

  it('reports a stream once, at finish, with every window summed', () => {
    const { records, sink: s } = sink();
    const stream = s.openStream(ctx);
    stream.addContent('abc');
    stream.addWindow(windowOf([]));
    stream.addContent('def');
    stream.addWindow(windowOf([threat]));
    expect(records).toHaveLength(0);
    stream.finish('BLOCK');
    stream.finish('BLOCK');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'BLOCK', contentLength: 6, latencyMs: 2, policyVersion: 'v1', entityCounts: { AWS_ACCESS_KEY: 1 } });
  });

  it('a failing emit is reported, never thrown into the scan', () => {
    const errors: unknown[] = [];
    const s = createScanEventSink({ nodeId: 'n', scanCompletedSample: 0, emit: () => { throw new Error('boom'); }, onError: (e) => errors.push(e) });
    expect(() => s.scanned(ctx, 'x', result([threat]), 1)).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
