/**
 * The Envoy-facing services for the sidecar's `extraServices` hook: ext_authz
 * (envoy.service.auth.v3.Authorization) and ext_proc (envoy.service.ext_proc.v3.ExternalProcessor)
 * on the sidecar's own port, sharing its pool, limits and graceful drain.
 */
import { Authorization } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import { ExternalProcessor } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { grpcServiceDefinition } from '../sidecar/grpc-service-definition.js';
import type { ScanServiceDeps } from '../sidecar/scan-service-deps.js';
import type { ExtraGrpcService } from '../sidecar/start-sidecar.js';
import { depsForTransport } from '../telemetry/metrics/transport-scan-deps.js';
import { resolveEnvoyOptions, type EnvoyServiceOptions } from './envoy-options.js';
import { extAuthzImplementation } from './ext-authz-service.js';
import { extProcImplementation } from './ext-proc-service.js';

export interface EnvoyServicesOptions extends EnvoyServiceOptions {
  /** Largest body ext_proc collects for a whole-body scan; default 16 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** `startSidecar({ extraServices: envoyServices() })`. */
export function envoyServices(options: EnvoyServicesOptions = {}): (deps: ScanServiceDeps) => ExtraGrpcService[] {
  const resolved = resolveEnvoyOptions(options);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (sidecarDeps) => {
    const deps = depsForTransport(sidecarDeps, 'envoy');
    return [
      { definition: grpcServiceDefinition(Authorization), implementation: extAuthzImplementation(deps, resolved) },
      { definition: grpcServiceDefinition(ExternalProcessor), implementation: extProcImplementation({ scan: deps, options: resolved, maxBodyBytes }) },
    ];
  };
}
