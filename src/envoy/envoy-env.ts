/**
 * The Envoy services as `bulwark sidecar` starts them: options from the environment, so the
 * CLI needs one line per start path.
 *
 * - BULWARK_TENANT_HEADER   tenant header (default x-tenant-id)
 * - BULWARK_POLICY_HEADER   policy header (default x-bulwark-policy-id)
 * - BULWARK_PARTIAL_BODY    policy | fail-closed | scan-partial (default policy)
 * - BULWARK_UNKNOWN_CONTENT text | skip (default text)
 * - BULWARK_AUTHZ_REDACT    allow | deny (default allow)
 * - BULWARK_MAX_BODY_BYTES  largest body ext_proc collects (default 16 MiB)
 */
import type { ScanServiceDeps } from '../sidecar/scan-service-deps.js';
import type { ExtraGrpcService } from '../sidecar/start-sidecar.js';
import type { EnvoyServiceOptions } from './envoy-options.js';
import { envoyServices, type EnvoyServicesOptions } from './envoy-services.js';

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be one of ${allowed.join(', ')}`);
}

/** Throws (naming the variable) for a value that is not allowed. */
export function envoyOptionsFromEnv(env: NodeJS.ProcessEnv): EnvoyServicesOptions {
  const options: EnvoyServicesOptions = {};
  if (env.BULWARK_TENANT_HEADER) options.tenantHeader = env.BULWARK_TENANT_HEADER;
  if (env.BULWARK_POLICY_HEADER) options.policyHeader = env.BULWARK_POLICY_HEADER;
  const partial = oneOf<NonNullable<EnvoyServiceOptions['partialBody']>>('BULWARK_PARTIAL_BODY', env.BULWARK_PARTIAL_BODY, ['policy', 'fail-closed', 'scan-partial']);
  if (partial) options.partialBody = partial;
  const unknown = oneOf<NonNullable<EnvoyServiceOptions['unknownContent']>>('BULWARK_UNKNOWN_CONTENT', env.BULWARK_UNKNOWN_CONTENT, ['text', 'skip']);
  if (unknown) options.unknownContent = unknown;
  const redact = oneOf<NonNullable<EnvoyServiceOptions['authzRedact']>>('BULWARK_AUTHZ_REDACT', env.BULWARK_AUTHZ_REDACT, ['allow', 'deny']);
  if (redact) options.authzRedact = redact;
  if (env.BULWARK_MAX_BODY_BYTES) {
    const n = Number(env.BULWARK_MAX_BODY_BYTES);
    if (!Number.isInteger(n) || n <= 0) throw new Error('BULWARK_MAX_BODY_BYTES must be a positive integer');
    options.maxBodyBytes = n;
  }
  return options;
}

/** For startSidecar's `extraServices`. */
export function envoyServicesFromEnv(env: NodeJS.ProcessEnv): (deps: ScanServiceDeps) => ExtraGrpcService[] {
  return envoyServices(envoyOptionsFromEnv(env));
}
