/**
 * The mutating admission webhook's decision, as a pure function: an AdmissionReview (v1) for a
 * Pod CREATE in, an AdmissionReview with a JSONPatch (RFC 6902) out.
 *
 * Which pods: in `annotation` mode (the webhook entry for ordinary namespaces) those annotated
 * `bulwark.io/inject: "true"`; in `namespace` mode (the entry for namespaces labelled
 * `bulwark.io/inject: enabled`) every pod except those annotated `bulwark.io/inject: "false"`.
 * A pod that already has the sidecar (container name or `bulwark.io/status: injected`) gets no
 * patch, so re-invocation (reinvocationPolicy) and retries are harmless.
 *
 * The review is never refused: the webhook's job is to add a sidecar, not to police pods (a
 * malformed object is allowed unpatched; the API server validates it anyway).
 */
import type { InjectorConfig } from './injector-config.js';

export const INJECT_ANNOTATION = 'bulwark.io/inject';
export const TENANT_ANNOTATION = 'bulwark.io/tenant';
export const ENVOY_ANNOTATION = 'bulwark.io/envoy';
export const STATUS_ANNOTATION = 'bulwark.io/status';
export const SIDECAR_CONTAINER = 'bulwark-sidecar';
export const ENVOY_CONTAINER = 'bulwark-envoy';
export const DATA_VOLUME = 'bulwark-data';
export const DATA_PATH = '/var/lib/bulwark';

export type InjectionMode = 'annotation' | 'namespace';

/** The parts of admission.k8s.io/v1 AdmissionReview the injector reads and writes. */
export interface AdmissionReview {
  apiVersion: string;
  kind: string;
  request?: {
    uid: string;
    kind?: { group?: string; version?: string; kind?: string };
    namespace?: string;
    operation?: string;
    object?: unknown;
  };
  response?: {
    uid: string;
    allowed: boolean;
    patchType?: 'JSONPatch';
    patch?: string;
    warnings?: string[];
  };
}

export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Why a pod is (not) injected; the reason goes to the webhook's log, never the pod spec. */
export function injectionDecision(pod: unknown, mode: InjectionMode): { inject: boolean; reason: string } {
  if (!isObj(pod) || !isObj(pod.spec) || !Array.isArray(pod.spec.containers)) return { inject: false, reason: 'not a pod spec' };
  const annotations = isObj(pod.metadata) && isObj(pod.metadata.annotations) ? pod.metadata.annotations : {};
  const containers = [...pod.spec.containers, ...(Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : [])];
  if (annotations[STATUS_ANNOTATION] === 'injected' || containers.some((c) => isObj(c) && c.name === SIDECAR_CONTAINER)) {
    return { inject: false, reason: 'already injected' };
  }
  if (pod.spec.hostNetwork === true) return { inject: false, reason: 'hostNetwork pod' };
  const wish = annotations[INJECT_ANNOTATION];
  if (wish === 'false') return { inject: false, reason: 'opted out' };
  if (wish === 'true') return { inject: true, reason: 'annotated' };
  return mode === 'namespace' ? { inject: true, reason: 'namespace enabled' } : { inject: false, reason: 'not annotated' };
}

function tenantOf(pod: Obj, config: InjectorConfig): string {
  const annotations = isObj(pod.metadata) && isObj(pod.metadata.annotations) ? pod.metadata.annotations : {};
  const t = annotations[TENANT_ANNOTATION];
  return typeof t === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(t) ? t : config.defaultTenant;
}

const RESTRICTED_SECURITY = (uid: number): Obj => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/** The sidecar container for a pod of `tenant`. */
export function sidecarContainer(config: InjectorConfig, tenant: string): Obj {
  const cp = config.controlPlane;
  // Kubelet's gRPC probes connect to the pod IP, so the sidecar listens on all interfaces.
  const args = ['sidecar', '--listen', `0.0.0.0:${config.port}`, '--workers', String(config.workers)];
  const env: Obj[] = Object.entries(config.env).map(([name, value]) => ({ name, value }));
  const mounts: Obj[] = [
    { name: DATA_VOLUME, mountPath: DATA_PATH },
    { name: 'bulwark-tmp', mountPath: '/tmp' },
  ];
  if (cp) {
    args.push('--control-plane', cp.address, '--tenants', tenant, '--data-dir', DATA_PATH);
    env.push({ name: 'BULWARK_TOKEN_FILE', value: '/var/run/secrets/bulwark/token/token' });
    env.push({ name: 'BULWARK_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    mounts.push({ name: 'bulwark-token', mountPath: '/var/run/secrets/bulwark/token', readOnly: true });
    if (cp.tlsSecretName) {
      args.push('--tls-ca', '/var/run/secrets/bulwark/tls/ca.crt');
      mounts.push({ name: 'bulwark-tls', mountPath: '/var/run/secrets/bulwark/tls', readOnly: true });
    }
  }
  const ports: Obj[] = [{ name: 'bulwark-grpc', containerPort: config.port, protocol: 'TCP' }];
  if (config.metricsPort > 0) {
    // The CLI default (127.0.0.1:9464) is unreachable for Prometheus; scrape via the pod IP.
    args.push('--metrics-listen', `0.0.0.0:${config.metricsPort}`);
    ports.push({ name: 'bulwark-metrics', containerPort: config.metricsPort, protocol: 'TCP' });
  }
  const probe = (extra: Obj): Obj => ({ grpc: { port: config.port }, ...extra });
  return {
    name: SIDECAR_CONTAINER,
    image: config.image,
    imagePullPolicy: config.imagePullPolicy,
    args,
    env,
    ports,
    resources: config.resources,
    // Readiness follows the health service: NOT_SERVING until the first policy snapshot and
    // during the drain. Liveness allows more than the 30 s initial-policy wait before a restart.
    readinessProbe: probe({ periodSeconds: 5, failureThreshold: 2 }),
    livenessProbe: probe({ initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 2 }),
    startupProbe: probe({ periodSeconds: 2, failureThreshold: 60 }),
    securityContext: RESTRICTED_SECURITY(config.runAsUser),
    volumeMounts: mounts,
  };
}

function envoyWanted(pod: Obj, config: InjectorConfig): boolean {
  if (config.envoy.inject === 'never') return false;
  if (config.envoy.inject === 'always') return true;
  const annotations = isObj(pod.metadata) && isObj(pod.metadata.annotations) ? pod.metadata.annotations : {};
  return annotations[ENVOY_ANNOTATION] === 'true';
}

function envoyContainer(config: InjectorConfig): Obj {
  return {
    name: ENVOY_CONTAINER,
    image: config.envoy.image,
    imagePullPolicy: config.imagePullPolicy,
    args: ['-c', '/etc/envoy/envoy.yaml', '--log-level', 'warn'],
    ports: [{ name: 'bulwark-envoy', containerPort: config.envoy.port, protocol: 'TCP' }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { tcpSocket: { port: config.envoy.port }, periodSeconds: 5 },
    securityContext: RESTRICTED_SECURITY(config.runAsUser),
    volumeMounts: [{ name: 'bulwark-envoy-config', mountPath: '/etc/envoy', readOnly: true }],
  };
}

function volumes(config: InjectorConfig, withEnvoy: boolean): Obj[] {
  const out: Obj[] = [
    // Survives container restarts within the pod: a restarted sidecar starts from its last snapshot.
    { name: DATA_VOLUME, emptyDir: { sizeLimit: config.dataSizeLimit } },
    { name: 'bulwark-tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
  ];
  const cp = config.controlPlane;
  if (cp) {
    out.push({ name: 'bulwark-token', secret: { secretName: cp.tokenSecretName, items: [{ key: 'token', path: 'token' }] } });
    if (cp.tlsSecretName) out.push({ name: 'bulwark-tls', secret: { secretName: cp.tlsSecretName } });
  }
  if (withEnvoy) out.push({ name: 'bulwark-envoy-config', configMap: { name: config.envoy.configMapName } });
  return out;
}

/** The JSONPatch that injects the sidecar into `pod` (assumed to pass injectionDecision). */
export function injectionPatch(pod: Obj, config: InjectorConfig): JsonPatchOp[] {
  const spec = pod.spec as Obj;
  const metadata = isObj(pod.metadata) ? pod.metadata : undefined;
  const withEnvoy = envoyWanted(pod, config);
  const ops: JsonPatchOp[] = [];
  if (!metadata) ops.push({ op: 'add', path: '/metadata', value: {} });
  if (!metadata || !isObj(metadata.annotations)) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  ops.push({ op: 'add', path: `/metadata/annotations/${pointerToken(STATUS_ANNOTATION)}`, value: 'injected' });
  ops.push({ op: 'add', path: '/spec/containers/-', value: sidecarContainer(config, tenantOf(pod, config)) });
  if (withEnvoy) ops.push({ op: 'add', path: '/spec/containers/-', value: envoyContainer(config) });
  const add = volumes(config, withEnvoy);
  if (!Array.isArray(spec.volumes)) ops.push({ op: 'add', path: '/spec/volumes', value: add });
  else for (const v of add) ops.push({ op: 'add', path: '/spec/volumes/-', value: v });
  return ops;
}

/** The AdmissionReview answer for a review. Never throws. */
export function reviewAdmission(review: AdmissionReview, config: InjectorConfig, mode: InjectionMode): { review: AdmissionReview; injected: boolean; reason: string } {
  const request = review.request;
  const uid = request?.uid ?? '';
  const answer = (patch?: JsonPatchOp[]): AdmissionReview => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: patch
      ? { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }
      : { uid, allowed: true },
  });
  if (!request || request.kind?.kind !== 'Pod' || (request.kind.group ?? '') !== '') return { review: answer(), injected: false, reason: 'not a pod' };
  if (request.operation !== 'CREATE') return { review: answer(), injected: false, reason: `operation ${String(request.operation)}` };
  const decision = injectionDecision(request.object, mode);
  if (!decision.inject) return { review: answer(), injected: false, reason: decision.reason };
  return { review: answer(injectionPatch(request.object as Obj, config)), injected: true, reason: decision.reason };
}
