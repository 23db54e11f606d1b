/**
 * The caller's deadline and cancellation as the pool understands them: an absolute
 * `deadline` for the engine (it stops running detectors there and lets the fail mode decide)
 * and an AbortSignal for the pool (a queued task is dropped).
 *
 * No timer of our own: both transports already run one per call (grpc-js answers
 * DEADLINE_EXCEEDED at the deadline and then reports the call cancelled; Connect aborts its
 * handler signal), and AbortSignal.timeout + AbortSignal.any cost about 40 µs per call on
 * Node 20, more than the rest of the handler together. The transport adapters abort the signal
 * with a TimeoutError reason when the cancellation is the deadline, so the pool reports
 * DEADLINE_EXCEEDED rather than CANCELLED.
 */
import { status } from '@grpc/grpc-js';
import type { CallTrace } from '../telemetry/tracing/rpc-server-span.js';
import { RpcError } from './status-errors.js';

/** Deadline and cancellation of one call, in the form the pool and engine take. */
export interface CallContext {
  /** ms since epoch (Date.now()); 0 = no deadline. */
  deadline: number;
  signal: AbortSignal;
  /** The call's server span, when tracing is on and the call is sampled (pool hops hang under it). */
  trace?: CallTrace;
}

/** The abort reason meaning "the deadline passed" (what the pool maps to DEADLINE_EXCEEDED). */
export function deadlineReason(): DOMException {
  return new DOMException('deadline exceeded', 'TimeoutError');
}

/**
 * Builds the context of one call. `deadline` is an absolute time in ms (Infinity or 0 = none);
 * `signal` aborts when the transport ends the call. Throws DEADLINE_EXCEEDED if the deadline
 * has already passed.
 */
export function callContext(deadline: number, signal: AbortSignal): CallContext {
  if (!Number.isFinite(deadline) || deadline <= 0) return { deadline: 0, signal };
  if (deadline <= Date.now()) throw new RpcError(status.DEADLINE_EXCEEDED, 'deadline exceeded before the scan started');
  return { deadline, signal };
}

/** grpc-js reports a deadline as a Date or a number (Infinity when absent). */
export function grpcDeadlineMs(deadline: Date | number): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
