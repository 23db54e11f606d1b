/**
 * Turns tracing on from the standard OTEL_* variables (tracing-config.ts says which ones this
 * file reads and which the libraries read), registers the provider, W3C propagators and an
 * AsyncLocalStorage context manager globally, and flips the switch the handlers check.
 * `shutdown()` flushes buffered spans and turns everything off again; call it after the
 * server has drained, so the last calls' spans are exported.
 */
import { context, diag, DiagLogLevel, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Logger } from '../logger.js';
import { traceResource } from './trace-resource.js';
import { samplerOf } from './trace-sampler.js';
import { tracingConfigFromEnv, type BatchSettings, type TraceExporterName } from './tracing-config.js';
import { tracingState } from './tracing-state.js';

export interface TracingOptions {
  /** service.name unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  serviceName: string;
  serviceVersion?: string;
  logger?: Logger;
  /** Default process.env. The exporter and resource detectors always read process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Tests and benchmarks: export here (synchronously, SimpleSpanProcessor) instead of the
   * exporters the environment names; tracing is on whatever OTEL_TRACES_EXPORTER says.
   */
  exporter?: SpanExporter;
  /** With `exporter`: batch as in production (benchmarks) instead of exporting each span at once (tests). */
  batchExporter?: boolean;
}

export interface RunningTracing {
  /** False when the environment turned tracing off: nothing was registered. */
  readonly enabled: boolean;
  /** Flushes and stops; idempotent. */
  shutdown(): Promise<void>;
}

const OFF: RunningTracing = { enabled: false, shutdown: () => Promise.resolve() };

function processorOf(name: TraceExporterName, batch: BatchSettings): SpanProcessor {
  if (name === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
  return new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batch });
}

/** The SDK's own diagnostics (export failures) as warn lines in our log. */
function diagTo(logger: Logger): DiagLogger {
  const log = (level: 'warn' | 'error' | 'info' | 'debug') => (message: string) => logger[level]({ component: 'opentelemetry' }, message);
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), verbose: log('debug') };
}

/** Starts tracing when the environment (or `options.exporter`) asks for it; only one at a time. */
export function startTracing(options: TracingOptions): RunningTracing {
  const config = tracingConfigFromEnv(options.env ?? process.env);
  for (const warning of config.warnings) options.logger?.warn({ component: 'tracing' }, warning);
  const processors = options.exporter
    ? [options.batchExporter ? new BatchSpanProcessor({ exporter: options.exporter, ...config.batch }) : new SimpleSpanProcessor({ exporter: options.exporter })]
    : config.exporters.map((name) => processorOf(name, config.batch));
  if (processors.length === 0) return OFF;
  if (tracingState.tracer !== undefined) throw new Error('tracing is already started in this process');

  const provider = new TracerProvider({
    resource: traceResource(options.serviceName, options.serviceVersion ?? 'unknown'),
    sampler: samplerOf(config.sampler, config.ratio),
    // Tenant ids and similar values are caller text: bound them.
    spanLimits: { attributeValueLengthLimit: 256 },
    spanProcessors: processors,
  });
  if (options.logger) diag.setLogger(diagTo(options.logger), DiagLogLevel.WARN);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  tracingState.tracer = provider.getTracer('bulwark', options.serviceVersion);
  options.logger?.info(
    { component: 'tracing', exporters: options.exporter ? ['custom'] : config.exporters, sampler: config.sampler, ratio: config.ratio },
    'tracing on',
  );

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    // Handlers stop creating spans first; spans already started still end and are flushed.
    tracingState.tracer = undefined;
    try {
      await provider.shutdown();
    } catch (err) {
      options.logger?.warn({ component: 'tracing', err: (err as Error)?.message }, 'flushing spans failed');
    } finally {
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
    }
  };
  return { enabled: true, shutdown: () => (stopping ??= stop()) };
}
