/**
 * The pool hop of one scan or stream window as a child span (queue wait + worker time, seen
 * from the main thread), and one grandchild span per detector built afterwards from the
 * engine's ScanTiming, with explicit start and end times. Detector spans are created here,
 * on the main thread: worker threads have no tracer and send nothing but the result.
 *
 * Attributes are counts, lengths, names and versions only, never content or findings' text.
 */
import { SpanStatusCode, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import type { ScanResult, ScanTask, ScanTiming, StreamWindowResult } from '../../engine/types.js';
import { statusCodeOf, type CallTrace } from './rpc-server-span.js';
import { tracingState } from './tracing-state.js';

export const ATTR_TENANT = 'bulwark.tenant';
export const ATTR_DIRECTION = 'bulwark.direction';
export const ATTR_ACTION = 'bulwark.action';
export const ATTR_THREAT_COUNT = 'bulwark.threat_count';
export const ATTR_POLICY_VERSION = 'bulwark.policy_version';
/** Length of the scanned text in UTF-16 code units (free to read; bytes would cost a pass). */
export const ATTR_CONTENT_LENGTH = 'bulwark.content_length';
export const ATTR_DETECTOR = 'bulwark.detector';

/** Wall-clock ms with sub-ms precision, the clock ScanTiming.startedAtEpochMs is on. */
function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/**
 * Detector spans under `hop`. Worker and main thread read the same wall clock through
 * different performance origins, so times are clamped into the hop: a sub-millisecond
 * disagreement must not draw a detector outside the hop that contains it.
 */
function addDetectorSpans(tracer: Tracer, hopContext: Context, timing: ScanTiming, hopStart: number, hopEnd: number): void {
  for (const d of timing.detectors) {
    const start = clamp(timing.startedAtEpochMs + d.offsetMs, hopStart, hopEnd);
    const end = clamp(start + d.durationMs, start, hopEnd);
    tracer.startSpan(`detector ${d.detector}`, { startTime: start, attributes: { [ATTR_DETECTOR]: d.detector } }, hopContext).end(end);
  }
}

/** What a finished scan or window says, for the hop (and, for unary scans, the server span). */
function resultAttributes(result: ScanResult | StreamWindowResult): Attributes {
  return {
    [ATTR_ACTION]: result.action,
    [ATTR_THREAT_COUNT]: result.threats.length,
    [ATTR_POLICY_VERSION]: result.policyVersion,
  };
}

function taskAttributes(task: ScanTask): Attributes {
  return { [ATTR_TENANT]: task.tenantId || 'default', [ATTR_DIRECTION]: task.direction, [ATTR_CONTENT_LENGTH]: task.content.length };
}

/**
 * Runs one pool call under a hop span (child of `parent`), then adds the detector spans.
 * Returns the result unchanged; rethrows the pool's error after marking the span.
 */
export async function tracePoolHop<R extends ScanResult | StreamWindowResult>(
  tracer: Tracer,
  parent: CallTrace,
  name: string,
  attributes: Attributes,
  run: () => Promise<R>,
): Promise<R> {
  const hopStart = nowEpochMs();
  const hop = tracer.startSpan(name, { startTime: hopStart, attributes }, parent.context);
  let result: R;
  try {
    result = await run();
  } catch (err) {
    hop.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
    hop.setAttribute('rpc.grpc.status_code', statusCodeOf(err));
    hop.end();
    throw err;
  }
  const hopEnd = nowEpochMs();
  hop.setAttributes(resultAttributes(result));
  if (result.timing) {
    hop.setAttribute('bulwark.pool.wait_ms', Math.max(0, result.timing.startedAtEpochMs - hopStart));
    hop.setAttribute('bulwark.engine.latency_ms', result.latencyMs);
    addDetectorSpans(tracer, trace.setSpan(parent.context, hop), result.timing, hopStart, hopEnd);
  }
  hop.end(hopEnd);
  return result;
}

/**
 * One unary scan through the pool (wrap the `pool.scan` call site with this). Without a
 * trace (tracing off, or the call not sampled) it is just `run()`. The server span gets the
 * scan's tenant, direction, length and outcome as well.
 */
export function traceScan(callTrace: CallTrace | undefined, task: ScanTask, run: () => Promise<ScanResult>): Promise<ScanResult> {
  const tracer = tracingState.tracer;
  // Not an async function: off, the caller awaits run()'s own promise and nothing else.
  if (callTrace === undefined || tracer === undefined) return run();
  return tracedScan(tracer, callTrace, task, run);
}

async function tracedScan(tracer: Tracer, callTrace: CallTrace, task: ScanTask, run: () => Promise<ScanResult>): Promise<ScanResult> {
  const attributes = taskAttributes(task);
  callTrace.span.setAttributes(attributes);
  const result = await tracePoolHop(tracer, callTrace, 'bulwark.pool.scan', attributes, run);
  callTrace.span.setAttributes(resultAttributes(result));
  return result;
}
