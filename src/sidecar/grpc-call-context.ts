/**
 * The CallContext of a grpc-js call (deadline and cancellation), shared by the scan service and
 * the Envoy services: the signal aborts when the call is cancelled before it was answered
 * (grpc-js also emits 'cancelled' after every finished call, which must not count).
 */
import type { ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import { callContext, deadlineReason, grpcDeadlineMs, type CallContext } from './deadlines.js';

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
