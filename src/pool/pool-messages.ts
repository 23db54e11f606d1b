/**
 * Messages between the pool (main thread) and its scan workers. Everything here is plain
 * data: it is structured-cloned across threads, which drops class identity, so errors travel
 * as {@link SerializedError} and are rebuilt on the main thread.
 */
import { EngineError } from '../engine/engine-error.js';
import type { EngineErrorCode, ScanResult, ScanTask, StreamWindowResult, StreamWindowTask } from '../engine/types.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { PolicySet } from '../policy/types.js';

/** One unit of work for a worker. */
export type WorkerTask =
  | { kind: 'scan'; policyVersion: string; task: ScanTask; policySet?: PolicySet }
  | { kind: 'window'; policyVersion: string; task: StreamWindowTask; policySet?: PolicySet };

/**
 * A worker's answer. `need-policy`: the worker has not compiled `policyVersion` yet (it was
 * started after the last broadcast, or the broadcast is still in flight); the pool sends the
 * task again with the set attached.
 */
export type WorkerReply<R> =
  | { status: 'ok'; result: R }
  | { status: 'need-policy' }
  | { status: 'error'; error: SerializedError };

/** A worker's answer to a `scan` task. */
export type ScanReply = WorkerReply<ScanResult>;
/** A worker's answer to a `window` task. */
export type WindowReply = WorkerReply<StreamWindowResult>;

/** Worker → pool, on the worker's parentPort (next to task replies; see scan-thread.ts). */
export type WorkerEvent =
  | { type: 'bulwark-worker-hello'; threadId: number }
  | { type: 'bulwark-policy-installed'; threadId: number; version: string; error?: SerializedError };

/** Pool → every worker of one pool, on the pool's BroadcastChannel. */
export interface PolicyBroadcast {
  type: 'install-policy';
  policySet: PolicySet;
}

/** What the pool passes to each worker at start. */
export interface ScanWorkerData {
  /** Name of the BroadcastChannel on which this pool publishes policy sets. */
  policyChannel: string;
}

/** An error as plain data, to cross a thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  location?: string;
}

const ENGINE_CODES: readonly EngineErrorCode[] = ['NOT_FOUND', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'INTERNAL'];

/** Engine and policy errors keep class, code and message; anything else becomes a content-free "scanner failed". */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) return { name: 'EngineError', code: err.code, message: err.message };
  if (err instanceof PolicyValidationError) {
    const s: SerializedError = { name: 'PolicyValidationError', message: err.message };
    if (err.location !== undefined) s.location = err.location;
    return s;
  }
  // Anything else is a bug in the engine or a detector; its message may quote content, so it
  // is not forwarded. The worker logs nothing either (detectors must stay I/O free).
  return { name: 'Error', message: 'scanner failed' };
}

/** Rebuilds the error class on this side of the thread boundary. Unknown errors become INTERNAL. */
export function rebuildError(s: SerializedError): Error {
  if (s.name === 'EngineError' && ENGINE_CODES.includes(s.code as EngineErrorCode)) {
    return new EngineError(s.code as EngineErrorCode, s.message);
  }
  if (s.name === 'PolicyValidationError') {
    // The message already carries the location prefix; set the field without prefixing again.
    const err = new PolicyValidationError(s.message);
    if (s.location !== undefined) Object.defineProperty(err, 'location', { value: s.location });
    return err;
  }
  return new EngineError('INTERNAL', s.message);
}

/** Type guard for the worker's events (task replies never match). */
export function isWorkerEvent(value: unknown): value is WorkerEvent {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'bulwark-worker-hello' || type === 'bulwark-policy-installed';
}
