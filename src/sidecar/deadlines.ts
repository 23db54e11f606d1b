/**
 * The caller's deadline and cancellation as the pool understands them: an absolute
 * `deadline` for the engine (it stops running detectors there and lets the fail mode decide)
 * and an AbortSignal for the pool (a queued task is dropped). A signal that fires because the
 * deadline passed carries a TimeoutError reason, which the pool reports as DEADLINE_EXCEEDED;
 * any other abort (the caller went away) becomes CANCELLED.
 */
import { status } from '@grpc/grpc-js';
import { RpcError } from './status-errors.js';

export interface CallContext {
  /** ms since epoch (Date.now()); 0 = no deadline. */
  deadline: number;
  signal: AbortSignal;
}

/**
 * Builds the context of one call. `deadline` is an absolute time in ms (Infinity or 0 = none);
 * `cancelled` aborts when the transport sees the caller go away. Throws DEADLINE_EXCEEDED if
 * the deadline has already passed.
 */
export function callContext(deadline: number, cancelled: AbortSignal): CallContext {
  if (!Number.isFinite(deadline) || deadline <= 0) return { deadline: 0, signal: cancelled };
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw new RpcError(status.DEADLINE_EXCEEDED, 'deadline exceeded before the scan started');
  return { deadline, signal: AbortSignal.any([cancelled, AbortSignal.timeout(remaining)]) };
}

/** grpc-js reports a deadline as a Date or a number (Infinity when absent). */
export function grpcDeadlineMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
