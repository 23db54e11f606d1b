/**
 * One SERVER span per RPC, with the rpc.* semantic conventions. The span is handed down
 * explicitly (CallContext.trace) so streams and Envoy sessions, whose work runs in transport
 * callbacks outside any async context, still find their parent; it is also made the active
 * span for unary handlers, for code that only has the ambient context.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { incomingContext, type HeaderLookup } from './incoming-trace-context.js';

/** A recording span and the context that has it as parent for child spans. */
export interface CallTrace {
  span: Span;
  context: Context;
}

export type RpcSystem = 'grpc' | 'connect_rpc';

// rpc.* attributes are "incubating" in semantic-conventions 1.45 (not exported from the stable
// entry point); the package asks users to copy such names rather than import them.
const ATTR_RPC_SYSTEM = 'rpc.system';
const ATTR_RPC_SERVICE = 'rpc.service';
const ATTR_RPC_METHOD = 'rpc.method';
const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
const ATTR_RPC_CONNECT_RPC_ERROR_CODE = 'rpc.connect_rpc.error_code';

/** gRPC code names, lower snake case as Connect spells them (index = code). */
const CODE_NAMES = [
  'ok', 'canceled', 'unknown', 'invalid_argument', 'deadline_exceeded', 'not_found', 'already_exists',
  'permission_denied', 'resource_exhausted', 'failed_precondition', 'aborted', 'out_of_range',
  'unimplemented', 'internal', 'unavailable', 'data_loss', 'unauthenticated',
];

/**
 * Starts the server span of an RPC named by its path ("/pkg.Service/Method"), as a child of the
 * caller's trace context. Undefined when the sampler drops it: nothing below it is recorded.
 */
export function startServerSpan(tracer: Tracer, system: RpcSystem, path: string, headers: HeaderLookup): CallTrace | undefined {
  const slash = path.lastIndexOf('/');
  const service = path.slice(path.startsWith('/') ? 1 : 0, slash);
  const method = path.slice(slash + 1);
  const span = tracer.startSpan(
    `${service}/${method}`,
    { kind: SpanKind.SERVER, attributes: { [ATTR_RPC_SYSTEM]: system, [ATTR_RPC_SERVICE]: service, [ATTR_RPC_METHOD]: method } },
    incomingContext(headers),
  );
  if (!span.isRecording()) {
    span.end();
    return undefined;
  }
  return { span, context: trace.setSpan(context.active(), span) };
}

/** The gRPC status code of an error thrown by a handler (RpcError and ConnectError carry one). */
export function statusCodeOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 0 && code < CODE_NAMES.length ? code : 2;
}

/**
 * Ends the server span with the call's outcome. The status description is the error's message:
 * RpcError/ConnectError messages are the ones callers see, which never quote content.
 */
export function endServerSpan(callTrace: CallTrace, system: RpcSystem, err?: unknown): void {
  const span = callTrace.span;
  const code = err === undefined ? 0 : statusCodeOf(err);
  if (system === 'grpc') span.setAttribute(ATTR_RPC_GRPC_STATUS_CODE, code);
  else if (code !== 0) span.setAttribute(ATTR_RPC_CONNECT_RPC_ERROR_CODE, CODE_NAMES[code]!);
  if (code !== 0) {
    const message = err instanceof Error ? err.message : '';
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${CODE_NAMES[code]}${message ? `: ${message}` : ''}` });
  }
  span.end();
}

/**
 * Runs a unary handler (sync, or async returning a promise) under a server span, or just runs
 * it when there is none: the span is active while `work` runs and ends with its outcome.
 */
export function withServerSpan<T>(callTrace: CallTrace | undefined, system: RpcSystem, work: () => T): T {
  if (callTrace === undefined) return work();
  let value: T;
  try {
    value = context.with(callTrace.context, work);
  } catch (err) {
    endServerSpan(callTrace, system, err);
    throw err;
  }
  if (!(value instanceof Promise)) {
    endServerSpan(callTrace, system);
    return value;
  }
  return value.then(
    (resolved: unknown) => {
      endServerSpan(callTrace, system);
      return resolved;
    },
    (err: unknown) => {
      endServerSpan(callTrace, system, err);
      throw err;
    },
  ) as T;
}
