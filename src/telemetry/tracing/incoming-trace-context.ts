/**
 * The caller's W3C trace context (`traceparent`, `tracestate`) from what a transport gives us:
 * gRPC metadata, Fetch-style Headers (Connect), or a plain header map (Envoy's CheckRequest and
 * ext_proc header messages, lower-cased names). Only these two keys are read.
 */
import { ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** Returns the value of one request header (lower-case name), or undefined. */
export type HeaderLookup = (name: string) => string | undefined;

const propagator = new W3CTraceContextPropagator();

const getter: TextMapGetter<HeaderLookup> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (lookup, key) => lookup(key),
};

/** The parent context for a server span (ROOT_CONTEXT when the caller sent none or a bad one). */
export function incomingContext(lookup: HeaderLookup): Context {
  return propagator.extract(ROOT_CONTEXT, lookup, getter);
}

/** A lookup over grpc-js Metadata (values may be Buffers for -bin keys; those are not ours). */
export function metadataLookup(metadata: { get(key: string): (string | Buffer)[] }): HeaderLookup {
  return (name) => {
    const v = metadata.get(name)[0];
    return typeof v === 'string' ? v : undefined;
  };
}

/** A lookup over Fetch Headers (Connect's requestHeader). */
export function headersLookup(headers: { get(name: string): string | null }): HeaderLookup {
  return (name) => headers.get(name) ?? undefined;
}

/** A lookup over a plain map of lower-case header names. */
export function recordLookup(headers: Readonly<Record<string, string>>): HeaderLookup {
  return (name) => headers[name];
}
