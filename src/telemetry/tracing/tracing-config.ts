/**
 * The OTEL_* variables the tracing SDK does NOT read itself, parsed once into a plain config.
 *
 * What is left to the libraries (so it is not parsed twice here):
 * - the OTLP exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _HEADERS, _TIMEOUT,
 *   _COMPRESSION and the certificate variables;
 * - the resource detectors read OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 * What @opentelemetry/sdk-trace 3 no longer reads (and this file does): OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER(+_ARG) and OTEL_BSP_*.
 *
 * Tracing is OFF unless OTEL_TRACES_EXPORTER names an exporter (the spec's default is otlp;
 * a sidecar in front of every model call must not start sending to localhost:4318 by surprise).
 */

export type TraceExporterName = 'otlp' | 'console';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface BatchSettings {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

export interface TracingConfig {
  /** Empty = tracing off. */
  exporters: TraceExporterName[];
  sampler: SamplerName;
  /** For the *traceidratio samplers, in [0, 1]. */
  ratio: number;
  batch: BatchSettings;
  /** Problems with the variables (unknown values fall back to defaults); for the log. */
  warnings: string[];
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function exportersOf(env: NodeJS.ProcessEnv, warnings: string[]): TraceExporterName[] {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return [];
  const names = (value(env, 'OTEL_TRACES_EXPORTER') ?? 'none').split(',').map((n) => n.trim().toLowerCase());
  if (names.includes('none')) return [];
  const out: TraceExporterName[] = [];
  for (const name of names) {
    if (name === 'otlp' || name === 'console') {
      if (!out.includes(name)) out.push(name);
    } else if (name) {
      warnings.push(`OTEL_TRACES_EXPORTER: "${name}" is not supported (otlp, console, none); ignored`);
    }
  }
  const protocol = value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (out.includes('otlp') && protocol && protocol !== 'http/json') {
    warnings.push(`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "${protocol}" is not available; spans are sent as OTLP http/json`);
  }
  return out;
}

function samplerOf(env: NodeJS.ProcessEnv, warnings: string[]): { sampler: SamplerName; ratio: number } {
  const raw = value(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  let sampler: SamplerName = 'parentbased_always_on';
  if ((SAMPLERS as readonly string[]).includes(raw)) sampler = raw as SamplerName;
  else warnings.push(`OTEL_TRACES_SAMPLER: "${raw}" is not supported; using parentbased_always_on`);
  const arg = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (arg !== undefined && sampler.endsWith('traceidratio')) {
    const n = Number(arg);
    if (Number.isFinite(n) && n >= 0 && n <= 1) ratio = n;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG: "${arg}" is not a ratio in [0, 1]; using 1`);
  }
  return { sampler, ratio };
}

function batchOf(env: NodeJS.ProcessEnv, warnings: string[]): BatchSettings {
  const out: BatchSettings = {};
  const fields: [keyof BatchSettings, string][] = [
    ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
    ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
    ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
    ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
  ];
  for (const [field, name] of fields) {
    const raw = value(env, name);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (Number.isInteger(n) && n > 0) out[field] = n;
    else warnings.push(`${name}: "${raw}" is not a positive integer; ignored`);
  }
  return out;
}

/** Reads the tracing variables; never throws (a bad value is a warning and a default). */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv): TracingConfig {
  const warnings: string[] = [];
  const exporters = exportersOf(env, warnings);
  return { exporters, ...samplerOf(env, warnings), batch: batchOf(env, warnings), warnings };
}
