/**
 * User form → compiled {@link AlertDestination}: validation with a field path in every error,
 * defaults applied, secrets resolved. Shared by the config file (alerts-config-file.ts) and the
 * `--alert-webhook` flag (src/cli/alert-webhook-flags.ts).
 *
 * Secrets (signing keys, and Slack/Teams URLs, which carry their own token) come from an
 * environment variable or a file (a mounted Kubernetes Secret), never inline in the file.
 */
import { readFileSync } from 'node:fs';
import { SEVERITIES, type SeverityName } from './alert-event.js';
import { ALERT_FORMATS, DESTINATION_DEFAULTS, type AlertDestination, type AlertFormatName } from './alert-destination.js';

/** A bad destination: the message names the field ("destinations[1].format: …"). */
export class AlertConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertConfigError';
  }
}

/** Where a secret value lives. */
export type SecretRef = { env: string } | { file: string };

/** A destination as written by the user; only `url` (or a ref) is required. */
export interface DestinationInput {
  name?: string;
  format?: string;
  url?: string | SecretRef;
  secret?: SecretRef;
  minSeverity?: string;
  deniedActions?: boolean;
  tenants?: string[];
  timeoutMs?: number;
  rateLimit?: { perMinute?: number; burst?: number };
  retry?: { baseMs?: number; maxMs?: number; maxAgeMs?: number };
  maxBatch?: number;
}

export interface ResolveContext {
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

const KNOWN_KEYS = new Set(['name', 'format', 'url', 'secret', 'minSeverity', 'deniedActions', 'tenants', 'timeoutMs', 'rateLimit', 'retry', 'maxBatch']);

function fail(path: string, message: string): never {
  throw new AlertConfigError(`${path}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positive(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(path, `must be a positive number (${JSON.stringify(v)} given)`);
  return v;
}

function resolveSecret(ref: unknown, path: string, ctx: ResolveContext): string {
  if (!isObject(ref)) fail(path, 'must be { env: NAME } or { file: PATH } (never the value itself)');
  if (typeof ref.env === 'string' && ref.file === undefined) {
    const value = ctx.env[ref.env];
    if (!value) fail(path, `environment variable ${ref.env} is not set`);
    return value;
  }
  if (typeof ref.file === 'string' && ref.env === undefined) {
    try {
      // A mounted Secret file usually ends with a newline that is not part of the value.
      const value = (ctx.readFile ?? ((p) => readFileSync(p, 'utf8')))(ref.file).trim();
      if (!value) fail(path, `${ref.file} is empty`);
      return value;
    } catch (err) {
      if (err instanceof AlertConfigError) throw err;
      fail(path, `cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return fail(path, 'must be { env: NAME } or { file: PATH } (exactly one)');
}

function resolveUrl(v: unknown, path: string, ctx: ResolveContext): string {
  const raw = typeof v === 'string' ? v : resolveSecret(v, path, ctx);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may be a secret (Slack/Teams URLs carry a token): never echo it.
    return fail(path, 'is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(path, 'must be an http(s) URL');
  return url.toString();
}

function oneOfValue<T extends string>(v: unknown, allowed: readonly T[], path: string, fallback: T): T {
  if (v === undefined) return fallback;
  const hit = typeof v === 'string' ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
  if (!hit) fail(path, `must be one of ${allowed.join(', ')} (${JSON.stringify(v)} given)`);
  return hit;
}

function tenants(v: unknown, path: string): ReadonlySet<string> | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((t) => typeof t === 'string' && t !== '')) fail(path, 'must be a non-empty list of tenant ids');
  return new Set(v as string[]);
}

/** Validates and compiles one destination; `path` prefixes error messages. */
export function compileDestination(input: unknown, path: string, ctx: ResolveContext, defaultName: string): AlertDestination {
  if (!isObject(input)) fail(path, 'must be a mapping');
  for (const key of Object.keys(input)) if (!KNOWN_KEYS.has(key)) fail(`${path}.${key}`, 'unknown field');
  if (input.url === undefined) fail(`${path}.url`, 'is required');
  const name = input.name ?? defaultName;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) fail(`${path}.name`, 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');
  if (input.deniedActions !== undefined && typeof input.deniedActions !== 'boolean') fail(`${path}.deniedActions`, 'must be true or false');
  const rate = input.rateLimit ?? {};
  const retry = input.retry ?? {};
  if (!isObject(rate)) fail(`${path}.rateLimit`, 'must be a mapping');
  if (!isObject(retry)) fail(`${path}.retry`, 'must be a mapping');
  const d = DESTINATION_DEFAULTS;
  return {
    name,
    url: resolveUrl(input.url, `${path}.url`, ctx),
    format: oneOfValue<AlertFormatName>(input.format, ALERT_FORMATS, `${path}.format`, 'json'),
    secret: input.secret === undefined ? undefined : resolveSecret(input.secret, `${path}.secret`, ctx),
    minSeverity: oneOfValue<SeverityName>(input.minSeverity, SEVERITIES, `${path}.minSeverity`, d.minSeverity),
    deniedActions: (input.deniedActions as boolean | undefined) ?? d.deniedActions,
    tenants: tenants(input.tenants, `${path}.tenants`),
    timeoutMs: positive(input.timeoutMs, `${path}.timeoutMs`, d.timeoutMs),
    rateLimit: {
      perMinute: positive(rate.perMinute, `${path}.rateLimit.perMinute`, d.rateLimit.perMinute),
      burst: Math.max(1, Math.floor(positive(rate.burst, `${path}.rateLimit.burst`, d.rateLimit.burst))),
    },
    retry: {
      baseMs: positive(retry.baseMs, `${path}.retry.baseMs`, d.retry.baseMs),
      maxMs: positive(retry.maxMs, `${path}.retry.maxMs`, d.retry.maxMs),
      maxAgeMs: positive(retry.maxAgeMs, `${path}.retry.maxAgeMs`, d.retry.maxAgeMs),
    },
    maxBatch: Math.max(1, Math.floor(positive(input.maxBatch, `${path}.maxBatch`, d.maxBatch))),
  };
}

/** Compiles a list; names must be unique (they key the outbox). */
export function compileDestinations(inputs: readonly unknown[], path: string, ctx: ResolveContext): AlertDestination[] {
  const out = inputs.map((input, i) => compileDestination(input, `${path}[${i}]`, ctx, `webhook-${i + 1}`));
  const seen = new Set<string>();
  for (const [i, d] of out.entries()) {
    if (seen.has(d.name)) fail(`${path}[${i}].name`, `"${d.name}" is used twice`);
    seen.add(d.name);
  }
  return out;
}
