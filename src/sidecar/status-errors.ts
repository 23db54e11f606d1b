/**
 * One error type for both transports (gRPC and Connect share gRPC's code numbers), and the
 * mapping from engine and pool errors to it. Callers get a stable code and a short message;
 * causes that might quote content (unexpected exceptions) become a generic INTERNAL.
 */
import { status } from '@grpc/grpc-js';
import { EngineError } from '../engine/engine-error.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import { PoolError } from '../pool/pool-errors.js';

/** A gRPC status code and a message that is safe to show the caller. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

const ENGINE_STATUS: Record<EngineError['code'], status> = {
  NOT_FOUND: status.NOT_FOUND,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

const POOL_STATUS: Record<PoolError['code'], status> = {
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  UNAVAILABLE: status.UNAVAILABLE,
};

/** Maps any error thrown while serving a call to the status the caller sees. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof EngineError) return new RpcError(ENGINE_STATUS[err.code] ?? status.INTERNAL, err.message);
  if (err instanceof PoolError) return new RpcError(POOL_STATUS[err.code] ?? status.INTERNAL, err.message);
  if (err instanceof PolicyValidationError) return new RpcError(status.INVALID_ARGUMENT, err.message);
  return new RpcError(status.INTERNAL, 'internal error');
}

/** True for errors that are the sidecar's fault (worth an error log line), not the caller's. */
export function isServerFault(err: RpcError): boolean {
  return err.code === status.INTERNAL || err.code === status.UNKNOWN;
}
