/**
 * The control plane's failures mapped onto the project's one error type with a gRPC code
 * (the sidecar's RpcError): callers get a stable code and a short message; internal causes
 * go to the log only.
 */
import { status, Metadata, type ServiceError } from '@grpc/grpc-js';
import { PolicyValidationError } from '../../policy/policy-error.js';
import { RpcError } from '../../sidecar/status-errors.js';
import { StoreError, type StoreErrorKind } from '../../store/store-error.js';
import { isStoreUnavailable } from '../../store/store-unavailable.js';
import type { Logger } from '../../telemetry/logger.js';
import { AuthError } from '../auth/auth-error.js';

/** Shorthand for request validation failures. */
export function invalidArgument(message: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, message);
}

const STORE_CODES: Record<StoreErrorKind, status> = {
  'not-found': status.NOT_FOUND,
  'already-exists': status.ALREADY_EXISTS,
  // Optimistic-concurrency mismatch: a read-modify-write race, retry after re-reading (AIP-154).
  conflict: status.ABORTED,
  'failed-precondition': status.FAILED_PRECONDITION,
  'invalid-argument': status.INVALID_ARGUMENT,
};

const AUTH_CODES: Record<AuthError['kind'], status> = {
  unauthenticated: status.UNAUTHENTICATED,
  'permission-denied': status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
};

/** Any thrown value → an RpcError; a database outage becomes UNAVAILABLE; unexpected ones are logged and become INTERNAL. */
export function toControlRpcError(err: unknown, logger: Logger, path: string): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof AuthError) return new RpcError(AUTH_CODES[err.kind], err.message);
  if (err instanceof StoreError) return new RpcError(STORE_CODES[err.kind], err.message);
  if (err instanceof PolicyValidationError) return new RpcError(status.INVALID_ARGUMENT, err.message);
  if (isStoreUnavailable(err)) {
    // Expected during a database outage: a retryable status and one short line, no stack.
    logger.warn({ path, code: (err as { code?: unknown }).code, error: (err as Error).message }, 'the database is unreachable');
    return new RpcError(status.UNAVAILABLE, 'the database is unreachable; retry later');
  }
  logger.error({ err, path }, 'control-plane call failed');
  return new RpcError(status.INTERNAL, 'internal error');
}

/** The grpc-js form of an RpcError. */
export function toServiceError(err: RpcError): Partial<ServiceError> {
  return { code: err.code, details: err.message, metadata: new Metadata() };
}
