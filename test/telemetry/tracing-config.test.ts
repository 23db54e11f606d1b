/** The OTEL_* variables Bulwark reads itself (the SDK and exporter read the rest). */
import { describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from '../../src/telemetry/tracing/tracing-config.js';

describe('tracingConfigFromEnv', () => {
  it('is off by default, with the spec default sampler', () => {
    expect(tracingConfigFromEnv({})).toEqual({ exporters: [], sampler: 'parentbased_always_on', ratio: 1, batch: {}, warnings: [] });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, ['otlp']],
    [{ OTEL_TRACES_EXPORTER: ' OTLP , console ' }, ['otlp', 'console']],
    [{ OTEL_TRACES_EXPORTER: 'none' }, []],
    [{ OTEL_TRACES_EXPORTER: 'otlp,none' }, []],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, []],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' }, ['otlp']],
  ])('exporters of %j', (env, exporters) => {
    expect(tracingConfigFromEnv(env).exporters).toEqual(exporters);
  });

  it('warns about exporters and protocols it cannot serve', () => {
    const config = tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin,otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' });
    expect(config.exporters).toEqual(['otlp']);
    expect(config.warnings).toHaveLength(2);
    expect(tracingConfigFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).warnings).toEqual([]);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'parentbased_traceidratio', 0.25, 0],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, 'traceidratio', 1, 1],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'always_off', 1, 0],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'parentbased_always_on', 1, 1],
    [{ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 'always_on', 1, 0],
  ])('sampler of %j', (env, sampler, ratio, warnings) => {
    const config = tracingConfigFromEnv(env);
    expect(config).toMatchObject({ sampler, ratio });
    expect(config.warnings).toHaveLength(warnings);
  });

  it('reads the batch span processor variables', () => {
    const config = tracingConfigFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '250', OTEL_BSP_MAX_QUEUE_SIZE: '4096', OTEL_BSP_EXPORT_TIMEOUT: 'soon' });
    expect(config.batch).toEqual({ scheduledDelayMillis: 250, maxQueueSize: 4096 });
    expect(config.warnings).toHaveLength(1);
  });
});
