/**
 * The transports' entry points into tracing: one call per handler. Each first reads the one
 * switch (tracingState.tracer); with tracing off it returns `work()` (or a no-op ender) at once.
 */
import type { HandlerContext } from '@connectrpc/connect';
import { headersLookup, metadataLookup, type HeaderLookup } from './incoming-trace-context.js';
import { endServerSpan, startServerSpan, withServerSpan, type CallTrace, type RpcSystem } from './rpc-server-span.js';
import { tracingState } from './tracing-state.js';

/** What a grpc-js server call offers (unary and streaming calls alike). */
export interface GrpcServerCall {
  getPath(): string;
  metadata: { get(key: string): (string | Buffer)[] };
}

/** Something that carries the call's trace down to the pool call sites (CallContext). */
export interface TraceCarrier {
  trace?: CallTrace;
  signal?: AbortSignal;
}

function started(system: RpcSystem, path: string, headers: HeaderLookup, carrier: TraceCarrier | undefined): CallTrace | undefined {
  const tracer = tracingState.tracer;
  if (tracer === undefined) return undefined;
  const callTrace = startServerSpan(tracer, system, path, headers);
  if (carrier && callTrace) carrier.trace = callTrace;
  return callTrace;
}

/** A gRPC unary handler under a server span; `carrier` (the CallContext) receives the trace. */
export function traceGrpcUnary<T>(call: GrpcServerCall, carrier: TraceCarrier | undefined, work: () => Promise<T>): Promise<T> {
  if (tracingState.tracer === undefined) return work();
  return withServerSpan(started('grpc', call.getPath(), metadataLookup(call.metadata), carrier), 'grpc', work);
}

/** A Connect unary handler under a server span. */
export function traceConnectUnary<T>(context: HandlerContext, carrier: TraceCarrier | undefined, work: () => Promise<T>): Promise<T> {
  if (tracingState.tracer === undefined) return work();
  const path = `/${context.service.typeName}/${context.method.name}`;
  return withServerSpan(started('connect_rpc', path, headersLookup(context.requestHeader), carrier), 'connect_rpc', work);
}

/**
 * A unary handler whose parent comes from headers other than the transport's (Envoy's
 * CheckRequest carries the HTTP request's headers: the trace the request belongs to).
 */
export function traceGrpcUnaryWithHeaders<T>(call: GrpcServerCall, headers: HeaderLookup, carrier: TraceCarrier | undefined, work: () => Promise<T>): Promise<T> {
  if (tracingState.tracer === undefined) return work();
  // One source for both keys: a tracestate must belong to the traceparent it came with.
  const lookup = headers('traceparent') !== undefined ? headers : metadataLookup(call.metadata);
  return withServerSpan(started('grpc', call.getPath(), lookup, carrier), 'grpc', work);
}

const NO_SPAN = (): void => {};

/**
 * A streaming call's server span, started now; returns the function that ends it (call it
 * once the call is over; later calls do nothing). A call whose signal was aborted ends as
 * CANCELLED, or DEADLINE_EXCEEDED when the abort reason is a TimeoutError.
 */
export function traceStreamCall(system: RpcSystem, path: string, headers: HeaderLookup, carrier: TraceCarrier): (err?: unknown) => void {
  const callTrace = started(system, path, headers, carrier);
  if (callTrace === undefined) return NO_SPAN;
  let ended = false;
  return (err) => {
    if (ended) return;
    ended = true;
    const signal = carrier.signal;
    const aborted = err === undefined && signal?.aborted ? { code: (signal.reason as Error | undefined)?.name === 'TimeoutError' ? 4 : 1 } : undefined;
    endServerSpan(callTrace, system, err ?? aborted);
  };
}

/** A gRPC streaming call's server span (see traceStreamCall). */
export function traceGrpcStream(call: GrpcServerCall, carrier: TraceCarrier): (err?: unknown) => void {
  if (tracingState.tracer === undefined) return NO_SPAN;
  return traceStreamCall('grpc', call.getPath(), metadataLookup(call.metadata), carrier);
}

/** A Connect streaming call's server span (see traceStreamCall). */
export function traceConnectStream(context: HandlerContext, carrier: TraceCarrier): (err?: unknown) => void {
  if (tracingState.tracer === undefined) return NO_SPAN;
  return traceStreamCall('connect_rpc', `/${context.service.typeName}/${context.method.name}`, headersLookup(context.requestHeader), carrier);
}

/** A synchronous gRPC unary handler (CreateCanary) under a server span. */
export function traceGrpcSync<T>(call: GrpcServerCall, work: () => T): T {
  if (tracingState.tracer === undefined) return work();
  return withServerSpan(started('grpc', call.getPath(), metadataLookup(call.metadata), undefined), 'grpc', work);
}

/** A synchronous Connect unary handler (CreateCanary) under a server span. */
export function traceConnectSync<T>(context: HandlerContext, work: () => T): T {
  if (tracingState.tracer === undefined) return work();
  const path = `/${context.service.typeName}/${context.method.name}`;
  return withServerSpan(started('connect_rpc', path, headersLookup(context.requestHeader), undefined), 'connect_rpc', work);
}
