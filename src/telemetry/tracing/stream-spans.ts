/**
 * StreamScan: one INTERNAL span per logical stream under the RPC's server span, and its
 * windows as pool-hop child spans (with detector spans). A long answer can have thousands of
 * windows, so only the first MAX_TRACED_WINDOWS are drawn; the rest are counted on the stream
 * span (bulwark.stream.windows vs bulwark.stream.traced_windows).
 */
import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { StreamWindowResult, StreamWindowTask } from '../../engine/types.js';
import { ATTR_ACTION, ATTR_CONTENT_LENGTH, ATTR_DIRECTION, ATTR_POLICY_VERSION, ATTR_TENANT, ATTR_THREAT_COUNT, tracePoolHop } from './pool-hop-spans.js';
import type { CallTrace } from './rpc-server-span.js';
import { tracingState } from './tracing-state.js';

export const MAX_TRACED_WINDOWS = 16;

/** The span of one logical stream and what its windows added up to. */
export interface StreamTrace {
  readonly trace: CallTrace;
  windows: number;
  threats: number;
  policyVersion: string;
  ended: boolean;
}

/** Opens the span of a logical stream (undefined when the call is not traced). */
export function openStreamSpan(callTrace: CallTrace | undefined, tenantId: string, direction: string): StreamTrace | undefined {
  const tracer = tracingState.tracer;
  if (callTrace === undefined || tracer === undefined) return undefined;
  const span = tracer.startSpan('bulwark.stream', { attributes: { [ATTR_TENANT]: tenantId || 'default', [ATTR_DIRECTION]: direction } }, callTrace.context);
  return { trace: { span, context: trace.setSpan(callTrace.context, span) }, windows: 0, threats: 0, policyVersion: '', ended: false };
}

/** One window through the pool (wrap the `pool.scanWindow` call site with this). */
export function traceWindow(stream: StreamTrace | undefined, task: StreamWindowTask, run: () => Promise<StreamWindowResult>): Promise<StreamWindowResult> {
  const tracer = tracingState.tracer;
  // Not an async function: off, the caller awaits run()'s own promise and nothing else.
  if (stream === undefined || tracer === undefined) return run();
  return tracedWindow(tracer, stream, task, run);
}

async function tracedWindow(tracer: Tracer, stream: StreamTrace, task: StreamWindowTask, run: () => Promise<StreamWindowResult>): Promise<StreamWindowResult> {
  const index = stream.windows++;
  const result =
    index < MAX_TRACED_WINDOWS
      ? await tracePoolHop(tracer, stream.trace, 'bulwark.pool.scan_window', {
          'bulwark.window.index': index,
          'bulwark.window.final': task.final,
          [ATTR_CONTENT_LENGTH]: task.content.length - task.prefixLength,
        }, run)
      : await run();
  stream.threats += result.threats.length;
  stream.policyVersion = result.policyVersion;
  return result;
}

/** Ends a logical stream's span with its final action (or the error that ended it). */
export function endStreamSpan(stream: StreamTrace | undefined, action: string, err?: unknown): void {
  if (stream === undefined || stream.ended) return;
  stream.ended = true;
  const span = stream.trace.span;
  span.setAttributes({
    [ATTR_ACTION]: action,
    [ATTR_THREAT_COUNT]: stream.threats,
    [ATTR_POLICY_VERSION]: stream.policyVersion,
    'bulwark.stream.windows': stream.windows,
    'bulwark.stream.traced_windows': Math.min(stream.windows, MAX_TRACED_WINDOWS),
  });
  if (err !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : 'stream failed' });
  span.end();
}
