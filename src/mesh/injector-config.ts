/**
 * What the sidecar injector puts into pods, with defaults applied once. The Helm chart renders
 * it as JSON into a ConfigMap that `bulwark control --webhook-config FILE` reads.
 */

export interface InjectorConfigInput {
  /** The Bulwark image (the same image runs `control` and `sidecar`). */
  image?: string;
  imagePullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  /** The sidecar's gRPC port (Scan, ext_authz, ext_proc, health). Default 50051. */
  port?: number;
  /** Scanner threads per sidecar. Default 2. */
  workers?: number;
  /**
   * Prometheus /metrics of the sidecar on the pod IP at this port (container port
   * `bulwark-metrics`, for a PodMonitor or a scrape config). Default 9464; 0 = pod loopback only.
   */
  metricsPort?: number;
  /** Tenant for pods without a `bulwark.io/tenant` annotation. Default "default". */
  defaultTenant?: string;
  /** Control plane the sidecars take policies from; omit to run on the built-in policy. */
  controlPlane?: {
    /** host:port, e.g. bulwark-control.bulwark.svc:50052 */
    address: string;
    /** A Secret in the pod's namespace with key `token`: a JWT with the "sidecar" role. */
    tokenSecretName?: string;
    /** A Secret in the pod's namespace with ca.crt (and tls.crt/tls.key for mTLS); omit for plaintext. */
    tlsSecretName?: string;
  };
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  /** UID the sidecar runs as (non-root). Default 10001. */
  runAsUser?: number;
  /** Size limit of the emptyDir that keeps the persisted policy snapshot. Default 64Mi. */
  dataSizeLimit?: string;
  /** More environment for the sidecar (e.g. BULWARK_TENANT_HEADER). */
  env?: Record<string, string>;
  /** Optional Envoy next to the sidecar (annotation `bulwark.io/envoy: "true"`, or always). */
  envoy?: {
    /** `annotated` (default): only pods annotated bulwark.io/envoy: "true"; `always`; `never`. */
    inject?: 'annotated' | 'always' | 'never';
    image?: string;
    /** ConfigMap (in the pod's namespace) with key envoy.yaml, e.g. examples/envoy/envoy.yaml. */
    configMapName?: string;
    /** The port the application sends LLM calls to. Default 10000. */
    port?: number;
  };
}

export type InjectorConfig = {
  image: string;
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  port: number;
  workers: number;
  metricsPort: number;
  defaultTenant: string;
  controlPlane: { address: string; tokenSecretName: string; tlsSecretName: string } | undefined;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  runAsUser: number;
  dataSizeLimit: string;
  env: Record<string, string>;
  envoy: { inject: 'annotated' | 'always' | 'never'; image: string; configMapName: string; port: number };
};

export const DEFAULT_SIDECAR_IMAGE = 'ghcr.io/bulwark/bulwark:0.1.0';

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`injector config: ${name} must be an integer from 1 to 65535`);
  return n;
}

/** Defaults applied and values checked; throws with the offending field's name. */
export function resolveInjectorConfig(input: InjectorConfigInput = {}): InjectorConfig {
  const cp = input.controlPlane;
  if (cp && !/^[^\s:]+:\d+$/.test(cp.address)) throw new Error('injector config: controlPlane.address must be host:port');
  const tenant = input.defaultTenant ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(tenant)) throw new Error('injector config: defaultTenant is not a valid tenant id');
  for (const key of Object.keys(input.env ?? {})) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`injector config: env name ${key} is not valid`);
  }
  return {
    image: input.image ?? DEFAULT_SIDECAR_IMAGE,
    imagePullPolicy: input.imagePullPolicy ?? 'IfNotPresent',
    port: positiveInt(input.port, 50051, 'port'),
    workers: positiveInt(input.workers, 2, 'workers'),
    metricsPort: input.metricsPort === 0 ? 0 : positiveInt(input.metricsPort, 9464, 'metricsPort'),
    defaultTenant: tenant,
    controlPlane: cp ? { address: cp.address, tokenSecretName: cp.tokenSecretName ?? 'bulwark-sidecar-token', tlsSecretName: cp.tlsSecretName ?? '' } : undefined,
    resources: {
      requests: { cpu: '100m', memory: '192Mi', ...input.resources?.requests },
      limits: { memory: '512Mi', ...input.resources?.limits },
    },
    runAsUser: positiveInt(input.runAsUser, 10001, 'runAsUser'),
    dataSizeLimit: input.dataSizeLimit ?? '64Mi',
    env: { ...input.env },
    envoy: {
      inject: input.envoy?.inject ?? 'annotated',
      image: input.envoy?.image ?? 'envoyproxy/envoy:v1.34-latest',
      configMapName: input.envoy?.configMapName ?? 'bulwark-envoy',
      port: positiveInt(input.envoy?.port, 10000, 'envoy.port'),
    },
  };
}
