import type { EngineErrorCode } from './types.js';

/**
 * The one error type that crosses from the engine (and the worker threads) to the
 * transports. `code` maps to a gRPC status; `message` is safe to show to callers
 * (it never contains scanned content).
 */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
