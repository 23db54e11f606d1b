/**
 * The CallContext of a grpc-js call (deadline and cancellation), shared by the scan service and
 * the Envoy services: the signal aborts when the call is cancelled before it was answered
 * (grpc-js also emits 'cancelled' after every finished call, which must not count).
 */
import type { ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import type { CallTracker } from './call-tracker.js';
import { callContext, deadlineReason, grpcDeadlineMs, type CallContext } from './deadlines.js';
import { toRpcError } from './status-errors.js';
import { traceGrpcStream } from '../telemetry/tracing/traced-calls.js';

export interface GrpcCallContext {
  ctx: CallContext;
  /** Call once the call has been answered. */
  answered(): void;
}

/** Throws DEADLINE_EXCEEDED (RpcError) when the deadline has already passed. */
export function grpcCallContext(call: ServerUnaryCall<unknown, unknown> | ServerDuplexStream<unknown, unknown>): GrpcCallContext {
  const controller = new AbortController();
  const ctx = callContext(grpcDeadlineMs(call.getDeadline()), controller.signal);
  let answered = false;
  const cancel = (): void => {
    if (answered) return;
    controller.abort(ctx.deadline > 0 && Date.now() >= ctx.deadline ? deadlineReason() : undefined);
  };
  if (call.cancelled) cancel();
  else call.on('cancelled', cancel);
  return { ctx, answered: () => (answered = true) };
}

/** A bidirectional stream that has been started: its context and how to end it (once). */
export interface OpenStream {
  callCtx: GrpcCallContext;
  /** Ends the in-flight count and the server span (with the error, if any); later calls do nothing. */
  finish(err?: unknown): void;
  readonly finished: boolean;
}

/**
 * Starts a bidirectional stream: counts it as in flight (for the drain), builds its context and
 * opens its server span. When the first two fail (draining, deadline already passed) the stream
 * is ended with the mapped status and undefined is returned.
 */
export function openStreamCall(call: ServerDuplexStream<unknown, unknown>, calls: CallTracker): OpenStream | undefined {
  let endCall: (() => void) | undefined;
  let callCtx: GrpcCallContext;
  try {
    endCall = calls.begin();
    callCtx = grpcCallContext(call);
  } catch (err) {
    endCall?.();
    const e = toRpcError(err);
    call.emit('error', { code: e.code, details: e.message });
    return undefined;
  }
  const end = endCall;
  const endSpan = traceGrpcStream(call, callCtx.ctx);
  let finished = false;
  return {
    callCtx,
    finish(err?: unknown): void {
      if (finished) return;
      finished = true;
      end();
      endSpan(err);
    },
    get finished(): boolean {
      return finished;
    },
  };
}
