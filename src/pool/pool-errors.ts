/**
 * Failures of the pool itself (as opposed to the engine's {@link EngineError}): the caller
 * asked for more than the pool can hold, gave up, or the pool is shutting down. Transports
 * map `code` to a gRPC status (src/sidecar/status-errors.ts).
 */
export type PoolErrorCode = 'RESOURCE_EXHAUSTED' | 'DEADLINE_EXCEEDED' | 'CANCELLED' | 'UNAVAILABLE';

/** A pool failure with the code transports map to a gRPC status. */
export class PoolError extends Error {
  constructor(
    readonly code: PoolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PoolError';
  }
}

/**
 * The error for a task whose signal was aborted: DEADLINE_EXCEEDED when the signal timed out
 * (AbortSignal.timeout, or a reason that says so), CANCELLED otherwise (the caller went away).
 */
export function abortedTaskError(signal: AbortSignal): PoolError {
  const reason: unknown = signal.reason;
  const timedOut =
    (reason instanceof Error && reason.name === 'TimeoutError') ||
    (reason instanceof PoolError && reason.code === 'DEADLINE_EXCEEDED');
  return timedOut
    ? new PoolError('DEADLINE_EXCEEDED', 'deadline exceeded before the scan finished')
    : new PoolError('CANCELLED', 'scan cancelled by the caller');
}
