/**
 * The span builders against the SDK's in-memory exporter: parent from traceparent, the pool
 * hop and its detector spans (explicit times from ScanTiming, clamped into the hop), the
 * bounded windows of a stream, error status, and nothing at all when tracing is off.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScanResult, ScanTask, StreamWindowResult, StreamWindowTask } from '../../src/engine/types.js';
import { RpcError } from '../../src/sidecar/status-errors.js';
import { recordLookup } from '../../src/telemetry/tracing/incoming-trace-context.js';
import { traceScan } from '../../src/telemetry/tracing/pool-hop-spans.js';
import { startServerSpan, withServerSpan, type CallTrace } from '../../src/telemetry/tracing/rpc-server-span.js';
import { startTracing, type RunningTracing } from '../../src/telemetry/tracing/start-tracing.js';
import { endStreamSpan, MAX_TRACED_WINDOWS, openStreamSpan, traceWindow } from '../../src/telemetry/tracing/stream-spans.js';
import { tracingState } from '../../src/telemetry/tracing/tracing-state.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const CONTENT = 'Call me at 415-555-0132 or write to sam@example.org';

const exporter = new InMemorySpanExporter();
let tracing: RunningTracing;

function task(): ScanTask {
  return { tenantId: 'acme', direction: 'OUTPUT', content: CONTENT, policyId: '', deadline: 0 };
}

/** A result whose detectors claim to start a little before the hop (another thread's clock). */
function result(startedAtEpochMs: number): ScanResult {
  return {
    action: 'REDACT',
    threats: [{ type: 'PII', severity: 'MEDIUM', confidence: 1, detector: 'pii', ruleId: 'PHONE_NUMBER', spans: [{ start: 11, end: 23 }], entityType: 'PHONE_NUMBER', owaspId: 'LLM02', atlasTechnique: '', description: '', action: 'REDACT' }],
    redactedContent: 'Call me at <PHONE_NUMBER> or write to <EMAIL_ADDRESS>',
    policyId: 'default',
    policyVersion: 'sha256:0123456789ab',
    latencyMs: 0.4,
    timing: {
      startedAtEpochMs,
      detectors: [
        { detector: 'normalizer', offsetMs: -5, durationMs: 0.1 },
        { detector: 'pii', offsetMs: 0.1, durationMs: 0.2 },
        { detector: 'secrets', offsetMs: 0.3, durationMs: 1e6 },
      ],
    },
  };
}

function serverTrace(): CallTrace {
  const callTrace = startServerSpan(tracingState.tracer!, 'grpc', '/bulwark.v1.SecurityScanService/Scan', recordLookup({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }));
  expect(callTrace).toBeDefined();
  return callTrace!;
}

function byName(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

const ms = hrTimeToMilliseconds;

beforeAll(() => {
  tracing = startTracing({ serviceName: 'tracing-spans-test', exporter });
});
beforeEach(() => exporter.reset());
afterAll(async () => {
  await tracing.shutdown();
});

describe('span builders', () => {
  it('server span → pool hop → detector spans, clamped into the hop, attributes without content', async () => {
    const callTrace = serverTrace();
    await withServerSpan(callTrace, 'grpc', () => traceScan(callTrace, task(), async () => result(Date.now())));
    const [server] = byName('bulwark.v1.SecurityScanService/Scan');
    const [hop] = byName('bulwark.pool.scan');
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(server!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(server!.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.grpc.status_code': 0,
      'bulwark.tenant': 'acme',
      'bulwark.direction': 'OUTPUT',
      'bulwark.action': 'REDACT',
      'bulwark.threat_count': 1,
      'bulwark.policy_version': 'sha256:0123456789ab',
      'bulwark.content_length': CONTENT.length,
    });
    expect(hop!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    const detectors = exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === hop!.spanContext().spanId);
    expect(detectors.map((d) => d.attributes['bulwark.detector'])).toEqual(['normalizer', 'pii', 'secrets']);
    for (const d of detectors) {
      expect(ms(d.startTime)).toBeGreaterThanOrEqual(ms(hop!.startTime));
      expect(ms(d.endTime)).toBeLessThanOrEqual(ms(hop!.endTime));
    }
    const exported = JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status]));
    for (const secret of ['415-555-0132', 'sam@example.org', 'PHONE_NUMBER>', 'Call me']) expect(exported).not.toContain(secret);
  });

  it('a failing pool call marks the hop and the server span with the gRPC code', async () => {
    const callTrace = serverTrace();
    const failure = new RpcError(status.RESOURCE_EXHAUSTED, 'the scan queue is full');
    await expect(withServerSpan(callTrace, 'grpc', () => traceScan(callTrace, task(), () => Promise.reject(failure)))).rejects.toBe(failure);
    const [server] = byName('bulwark.v1.SecurityScanService/Scan');
    const [hop] = byName('bulwark.pool.scan');
    expect(hop!.status.code).toBe(SpanStatusCode.ERROR);
    expect(server!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'resource_exhausted: the scan queue is full' });
    expect(server!.attributes['rpc.grpc.status_code']).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('a stream draws its first windows and counts the rest', async () => {
    const callTrace = serverTrace();
    const stream = openStreamSpan(callTrace, 'acme', 'OUTPUT');
    const windowTask: StreamWindowTask = { ...task(), prefixLength: 0, streamOffset: 0, final: false, holdBack: 0 };
    const windows = MAX_TRACED_WINDOWS + 4;
    for (let i = 0; i < windows; i++) {
      const { redactedContent: _r, ...scan } = result(Date.now());
      const window: StreamWindowResult = { ...scan, releaseLength: 1, releasedText: 'x' };
      await traceWindow(stream, windowTask, async () => window);
    }
    endStreamSpan(stream, 'REDACT');
    endStreamSpan(stream, 'BLOCK'); // a second end is ignored
    callTrace.span.end();
    const [streamSpan] = byName('bulwark.stream');
    expect(streamSpan!.attributes).toMatchObject({
      'bulwark.stream.windows': windows,
      'bulwark.stream.traced_windows': MAX_TRACED_WINDOWS,
      'bulwark.threat_count': windows,
      'bulwark.action': 'REDACT',
    });
    expect(byName('bulwark.pool.scan_window')).toHaveLength(MAX_TRACED_WINDOWS);
  });

  it('an unsampled caller (flags 00) gets no spans below the server span', () => {
    const callTrace = startServerSpan(tracingState.tracer!, 'grpc', '/x.Y/Z', recordLookup({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` }));
    expect(callTrace).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('without a call trace the wrappers only run the work', async () => {
    const r = result(Date.now());
    expect(await traceScan(undefined, task(), async () => r)).toBe(r);
    expect(openStreamSpan(undefined, 'acme', 'INPUT')).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('shutdown', () => {
  it('turns the switch off and unregisters the provider', async () => {
    expect(() => startTracing({ serviceName: 'x', exporter: new InMemorySpanExporter() })).toThrow(/already started/);
    await tracing.shutdown();
    expect(tracingState.tracer).toBeUndefined();
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(false);
  });
});
