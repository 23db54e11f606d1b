/** The injector on real AdmissionReview JSON (as the API server sends it for a Deployment's pod). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../src/mesh/injector-config.js';
import { injectionDecision, reviewAdmission, type AdmissionReview } from '../../src/mesh/sidecar-injector.js';
import { applyPatch, type AddOp } from './json-patch.js';

const REVIEW = JSON.parse(readFileSync(new URL('./admission-review.json', import.meta.url), 'utf8')) as AdmissionReview;
const config = resolveInjectorConfig({
  image: 'registry.example/bulwark:0.1.0',
  controlPlane: { address: 'bulwark-control.bulwark.svc:50052', tokenSecretName: 'bulwark-sidecar-token' },
  env: { BULWARK_TENANT_HEADER: 'x-org' },
});

type Pod = { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<Record<string, unknown>>; volumes?: Array<Record<string, unknown>> } };

function review(mutate: (pod: Pod) => void = () => undefined, request: Partial<NonNullable<AdmissionReview['request']>> = {}): AdmissionReview {
  const r = structuredClone(REVIEW);
  mutate(r.request!.object as Pod);
  Object.assign(r.request!, request);
  return r;
}

function patchOf(answer: AdmissionReview): AddOp[] | undefined {
  const p = answer.response?.patch;
  return p === undefined ? undefined : (JSON.parse(Buffer.from(p, 'base64').toString('utf8')) as AddOp[]);
}

describe('sidecar injector', () => {
  it('injects the sidecar into an annotated pod: image, args, probes, non-root, read-only root fs, volumes', () => {
    const { review: answer, injected } = reviewAdmission(REVIEW, config, 'annotation');
    expect(injected).toBe(true);
    expect(answer).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: REVIEW.request!.uid, allowed: true, patchType: 'JSONPatch' } });
    const pod = applyPatch(REVIEW.request!.object as Pod, patchOf(answer)!);
    expect(pod.metadata.annotations).toMatchObject({ 'bulwark.io/status': 'injected', 'bulwark.io/inject': 'true' });
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['app', 'bulwark-sidecar']);
    const sidecar = pod.spec.containers[1]!;
    expect(sidecar).toMatchObject({
      image: 'registry.example/bulwark:0.1.0',
      args: ['sidecar', '--listen', '0.0.0.0:50051', '--workers', '2', '--control-plane', 'bulwark-control.bulwark.svc:50052', '--tenants', 'acme', '--data-dir', '/var/lib/bulwark', '--metrics-listen', '0.0.0.0:9464'],
      readinessProbe: { grpc: { port: 50051 } },
      livenessProbe: { grpc: { port: 50051 } },
      securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } },
    });
    expect(sidecar.env).toEqual(expect.arrayContaining([{ name: 'BULWARK_TENANT_HEADER', value: 'x-org' }, { name: 'BULWARK_TOKEN_FILE', value: '/var/run/secrets/bulwark/token/token' }]));
    expect(sidecar.volumeMounts).toEqual(expect.arrayContaining([{ name: 'bulwark-data', mountPath: '/var/lib/bulwark' }]));
    // Existing volumes kept, ours appended.
    expect(pod.spec.volumes!.map((v) => v.name)).toEqual(['kube-api-access-x7h2k', 'bulwark-data', 'bulwark-tmp', 'bulwark-token']);
    expect(pod.spec.volumes![3]).toEqual({ name: 'bulwark-token', secret: { secretName: 'bulwark-sidecar-token', items: [{ key: 'token', path: 'token' }] } });
  });

  it('is idempotent: a pod that went through the webhook gets no second patch', () => {
    const once = applyPatch(REVIEW.request!.object as Pod, patchOf(reviewAdmission(REVIEW, config, 'annotation').review)!);
    const again = reviewAdmission(review((pod) => Object.assign(pod, once)), config, 'annotation');
    expect(again.injected).toBe(false);
    expect(again.reason).toBe('already injected');
    expect(again.review.response).toEqual({ uid: REVIEW.request!.uid, allowed: true });
    // A container named bulwark-sidecar alone (status annotation removed by someone) also counts.
    const named = reviewAdmission(review((pod) => { pod.spec.containers.push({ name: 'bulwark-sidecar', image: 'x' }); }), config, 'annotation');
    expect(named.injected).toBe(false);
  });

  it('annotation mode: pods without the annotation are left alone; namespace mode: all but opted-out pods', () => {
    const plain = review((pod) => { delete pod.metadata.annotations; });
    expect(reviewAdmission(plain, config, 'annotation').injected).toBe(false);
    const injected = reviewAdmission(plain, config, 'namespace');
    expect(injected.injected).toBe(true);
    // No annotations at all: the patch creates the map first; the tenant falls back to the default.
    const ops = patchOf(injected.review)!;
    expect(ops[0]).toEqual({ op: 'add', path: '/metadata/annotations', value: {} });
    expect(ops[1]!.path).toBe('/metadata/annotations/bulwark.io~1status');
    const pod = applyPatch(plain.request!.object as Pod, ops);
    expect(pod.spec.containers[1]!.args).toContain('default');
    const optedOut = review((pod) => { pod.metadata.annotations = { 'bulwark.io/inject': 'false' }; });
    expect(reviewAdmission(optedOut, config, 'namespace')).toMatchObject({ injected: false, reason: 'opted out' });
  });

  it('a pod without volumes gets the volume list created', () => {
    const noVolumes = review((pod) => { delete pod.spec.volumes; });
    const ops = patchOf(reviewAdmission(noVolumes, config, 'annotation').review)!;
    expect(ops.find((o) => o.path === '/spec/volumes')?.value).toHaveLength(3);
    expect(applyPatch(noVolumes.request!.object as Pod, ops).spec.volumes).toHaveLength(3);
  });

  it('Envoy is added for pods annotated bulwark.io/envoy: "true", with its ConfigMap', () => {
    const withEnvoy = review((pod) => { pod.metadata.annotations!['bulwark.io/envoy'] = 'true'; });
    const pod = applyPatch(withEnvoy.request!.object as Pod, patchOf(reviewAdmission(withEnvoy, config, 'annotation').review)!);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(['app', 'bulwark-sidecar', 'bulwark-envoy']);
    expect(pod.spec.volumes!.at(-1)).toEqual({ name: 'bulwark-envoy-config', configMap: { name: 'bulwark-envoy' } });
    const never = resolveInjectorConfig({ envoy: { inject: 'never' } });
    const p2 = applyPatch(withEnvoy.request!.object as Pod, patchOf(reviewAdmission(withEnvoy, never, 'annotation').review)!);
    expect(p2.spec.containers.map((c) => c.name)).toEqual(['app', 'bulwark-sidecar']);
  });

  it('without a control plane: no token volume, no --control-plane', () => {
    const local = resolveInjectorConfig({});
    const pod = applyPatch(REVIEW.request!.object as Pod, patchOf(reviewAdmission(REVIEW, local, 'annotation').review)!);
    expect(pod.spec.containers[1]!.args).toEqual(['sidecar', '--listen', '0.0.0.0:50051', '--workers', '2', '--metrics-listen', '0.0.0.0:9464']);
    expect(pod.spec.volumes!.map((v) => v.name)).not.toContain('bulwark-token');
    expect(pod.spec.containers[1]!.ports).toEqual([
      { name: 'bulwark-grpc', containerPort: 50051, protocol: 'TCP' },
      { name: 'bulwark-metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
  });

  it('metricsPort 0 keeps the sidecar metrics on the pod loopback (no flag, no port)', () => {
    const quiet = resolveInjectorConfig({ metricsPort: 0 });
    const pod = applyPatch(REVIEW.request!.object as Pod, patchOf(reviewAdmission(REVIEW, quiet, 'annotation').review)!);
    expect(pod.spec.containers[1]!.args).not.toContain('--metrics-listen');
    expect((pod.spec.containers[1]!.ports as { name: string }[]).map((p) => p.name)).toEqual(['bulwark-grpc']);
    expect(() => resolveInjectorConfig({ metricsPort: 70000 })).toThrow(/metricsPort/);
  });

  it('only Pod CREATE is patched; everything is allowed', () => {
    expect(reviewAdmission(review(undefined, { operation: 'UPDATE' }), config, 'annotation')).toMatchObject({ injected: false, review: { response: { allowed: true } } });
    expect(reviewAdmission(review(undefined, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }), config, 'annotation').injected).toBe(false);
    expect(injectionDecision({ spec: { hostNetwork: true, containers: [] }, metadata: { annotations: { 'bulwark.io/inject': 'true' } } }, 'annotation')).toEqual({ inject: false, reason: 'hostNetwork pod' });
    expect(injectionDecision(null, 'namespace').inject).toBe(false);
  });

  it('an invalid tenant annotation falls back to the default tenant (never reaches the args as given)', () => {
    const bad = review((pod) => { pod.metadata.annotations!['bulwark.io/tenant'] = 'acme --policy /etc/passwd'; });
    const pod = applyPatch(bad.request!.object as Pod, patchOf(reviewAdmission(bad, config, 'annotation').review)!);
    const args = pod.spec.containers[1]!.args as string[];
    expect(args[args.indexOf('--tenants') + 1]).toBe('default');
  });

  it('config validation names the field', () => {
    expect(() => resolveInjectorConfig({ controlPlane: { address: 'no-port' } })).toThrow(/controlPlane.address/);
    expect(() => resolveInjectorConfig({ port: 70000 })).toThrow(/port/);
    expect(() => resolveInjectorConfig({ env: { 'bad-name': 'x' } })).toThrow(/env name/);
  });
});
