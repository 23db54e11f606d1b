/**
 * One error type with a gRPC code, and the mapping of every known failure onto it.
 * Callers get a stable code and a short message; internal causes go to the log only.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { PolicyValidationError } from '../../policy/policy-error.js';
import { StoreError, type StoreErrorKind } from '../../store/store-error.js';
import type { Logger } from '../../telemetry/logger.js';
import { AuthError } from '../auth/auth-error.js';

/** An error meant for the caller, with its gRPC status code. */
export class ControlError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Shorthand for request validation failures. */
export function invalidArgument(message: string): ControlError {
  return new ControlError(status.INVALID_ARGUMENT, message);
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

/** Any thrown value → a ControlError; unexpected ones are logged and become INTERNAL. */
export function toControlError(err: unknown, logger: Logger, path: string): ControlError {
  if (err instanceof ControlError) return err;
  if (err instanceof AuthError) return new ControlError(AUTH_CODES[err.kind], err.message);
  if (err instanceof StoreError) return new ControlError(STORE_CODES[err.kind], err.message);
  if (err instanceof PolicyValidationError) return new ControlError(status.INVALID_ARGUMENT, err.message);
  logger.error({ err, path }, 'control-plane call failed');
  return new ControlError(status.INTERNAL, 'internal error');
}

/** The grpc-js form of a ControlError. */
export function toServiceError(err: ControlError): Partial<ServiceError> {
  return { code: err.code, details: err.message, metadata: new Metadata() };
}
