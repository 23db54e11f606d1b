/**
 * The one switch every instrumented call site checks first. While `tracer` is undefined
 * (tracing off, the default) the handlers build no span, no attribute object and no context:
 * the cost is one property read per call.
 */
import type { Tracer } from '@opentelemetry/api';

export const tracingState: { tracer: Tracer | undefined } = { tracer: undefined };

/** The active tracer, or undefined when tracing is off. */
export function activeTracer(): Tracer | undefined {
  return tracingState.tracer;
}
