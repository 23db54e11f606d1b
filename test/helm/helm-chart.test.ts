/**
 * charts/bulwark rendered with Go's text/template + sprig (tools/helm-render, what Helm uses)
 * for the default values and representative overrides; every manifest validated against the
 * Kubernetes OpenAPI schemas (kubernetes-models), and the pieces that must agree checked
 * against the code: the control plane accepts the Deployment's flags, the injector accepts its
 * ConfigMap, the pod it injects is a valid Pod, the webhook certificate matches the caBundle.
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { controlOptions } from '../../src/cli/control-command.js';
import { resolveInjectorConfig } from '../../src/mesh/injector-config.js';
import { reviewAdmission, type AdmissionReview } from '../../src/mesh/sidecar-injector.js';
import { applyPatch } from '../mesh/json-patch.js';
import { buildRenderer, goAvailable, render, type Rendered } from './helm-render.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
};

const JWT = 'chart-test-secret-chart-test-secret-0123';
const BASE = { 'auth.jwtSecret': JWT };

function validateAll(r: Rendered): void {
  expect(r.stderr).toBe('');
  expect(r.ok).toBe(true);
  expect(r.docs.length).toBeGreaterThan(0);
  for (const doc of r.docs) {
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) throw new Error(`no schema for ${doc.apiVersion}/${doc.kind}`);
    expect(() => new Model(doc).validate(), `${doc.kind} ${doc.metadata?.name}`).not.toThrow();
  }
}

const kinds = (r: Rendered): string[] => r.docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
const find = (r: Rendered, kind: string, suffix = ''): any => r.docs.find((d) => d.kind === kind && String(d.metadata.name).endsWith(suffix));

describe.skipIf(!goAvailable)('Helm chart charts/bulwark (needs go + Debian sprig/yaml.v3: apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev)', () => {
  beforeAll(() => {
    buildRenderer();
  }, 120_000);

  it('default values: control plane on PGlite with a PVC, webhook with a generated certificate; all manifests schema-valid', () => {
    const r = render(BASE);
    validateAll(r);
    expect(kinds(r)).toEqual([
      'ConfigMap/bw-bulwark-config',
      'ConfigMap/bw-bulwark-injector',
      'Deployment/bw-bulwark',
      'MutatingWebhookConfiguration/bw-bulwark-sidecar-injector',
      'PersistentVolumeClaim/bw-bulwark-data',
      'Role/bw-bulwark',
      'RoleBinding/bw-bulwark',
      'Secret/bw-bulwark-secrets',
      'Secret/bw-bulwark-webhook-tls',
      'Service/bw-bulwark',
      'ServiceAccount/bw-bulwark',
    ]);
    const pod = find(r, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(find(r, 'Deployment').spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('PostgreSQL, 3 replicas, HPA and PDB; no PVC, rolling updates', () => {
    const r = render({ ...BASE, 'database.url': 'postgres://bulwark:pw@pg:5432/bulwark', 'controlPlane.replicaCount': 3, 'autoscaling.enabled': true, 'webhook.failurePolicy': 'Fail' });
    validateAll(r);
    expect(kinds(r)).toContain('HorizontalPodAutoscaler/bw-bulwark');
    expect(kinds(r)).toContain('PodDisruptionBudget/bw-bulwark');
    expect(kinds(r)).not.toContain('PersistentVolumeClaim/bw-bulwark-data');
    const dep = find(r, 'Deployment');
    expect(dep.spec.replicas).toBeUndefined(); // the HPA owns it
    expect(dep.spec.strategy).toBeUndefined();
    expect(dep.spec.template.spec.containers[0].env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'bw-bulwark-secrets', key: 'DATABASE_URL' } } });
    expect(find(r, 'Secret', '-secrets').stringData.DATABASE_URL).toBe('postgres://bulwark:pw@pg:5432/bulwark');
    for (const w of find(r, 'MutatingWebhookConfiguration').webhooks) expect(w.failurePolicy).toBe('Fail');
  });

  it('existing Secrets, webhook certificate from cert-manager (tls.mode secret), no RBAC, no control plane for sidecars', () => {
    const r = render({
      'auth.existingSecret': 'my-auth',
      'database.existingSecret': 'my-db',
      'webhook.tls.mode': 'secret',
      'webhook.tls.existingSecret': 'bulwark-webhook-cert',
      'webhook.tls.caBundle': Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64'),
      'rbac.create': false,
      'sidecar.useControlPlane': false,
      fullnameOverride: 'guard',
    });
    validateAll(r);
    expect(kinds(r)).toEqual(['ConfigMap/guard-config', 'ConfigMap/guard-injector', 'Deployment/guard', 'MutatingWebhookConfiguration/guard-sidecar-injector', 'Service/guard', 'ServiceAccount/guard']);
    const dep = find(r, 'Deployment');
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'webhook-tls', secret: { secretName: 'bulwark-webhook-cert' } });
    const env = dep.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'my-db', key: 'DATABASE_URL' } } });
    expect(env).toContainEqual({ name: 'BULWARK_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'my-auth', key: 'BULWARK_JWT_SECRET', optional: true } } });
    expect(JSON.parse(find(r, 'ConfigMap', '-injector').data['injector.json']).controlPlane).toBeUndefined();
  });

  it('webhook disabled: no webhook configuration, certificate, injector ConfigMap or webhook port', () => {
    const r = render({ ...BASE, 'webhook.enabled': false, 'controlPlane.metricsPort': 0 });
    validateAll(r);
    expect(kinds(r).filter((k) => /webhook|injector/.test(k))).toEqual([]);
    const c = find(r, 'Deployment').spec.template.spec.containers[0];
    expect(c.args).toEqual(['control', '--metrics-listen=off']);
    expect(c.ports.map((p: { name: string }) => p.name)).toEqual(['grpc']);
    expect(find(r, 'Deployment').spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
  });

  it('control plane metrics: /metrics on the pod network, a named port and prometheus.io annotations', () => {
    const r = render({ ...BASE, 'controlPlane.metricsPort': 9100 });
    validateAll(r);
    const pod = find(r, 'Deployment').spec.template;
    expect(pod.spec.containers[0].args).toContain('--metrics-listen=0.0.0.0:9100');
    expect(pod.spec.containers[0].ports).toContainEqual({ name: 'metrics', containerPort: 9100, protocol: 'TCP' });
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics' });
  });

  it('refuses values that cannot work, with a message saying why', () => {
    expect(render({}).stderr).toMatch(/auth: set auth.jwtSecret/);
    expect(render({ ...BASE, 'controlPlane.replicaCount': 2 }).stderr).toMatch(/needs database.url/);
    expect(render({ ...BASE, 'autoscaling.enabled': true }).stderr).toMatch(/needs database.url/);
    expect(render({ ...BASE, 'webhook.tls.mode': 'secret', 'webhook.tls.existingSecret': 'x' }).stderr).toMatch(/webhook.tls.caBundle is required/);
  });

  it('the control plane CLI accepts the Deployment args and environment', () => {
    const r = render(BASE);
    const config = find(r, 'ConfigMap', '-config').data as Record<string, string>;
    const secret = find(r, 'Secret', '-secrets').stringData as Record<string, string>;
    const dir = mkdtempSync(join(tmpdir(), 'chart-'));
    const injectorFile = join(dir, 'injector.json');
    writeFileSync(injectorFile, find(r, 'ConfigMap', '-injector').data['injector.json']);
    const args = (find(r, 'Deployment').spec.template.spec.containers[0].args as string[]).map((a) => a.replace('/etc/bulwark/injector/injector.json', injectorFile));
    expect(args[0]).toBe('control');
    const options = controlOptions(args.slice(1), { ...config, ...secret });
    expect(options).not.toBe('help');
    if (options === 'help') return;
    expect(options.listen).toBe('0.0.0.0:50052');
    expect(options.webhook).toMatchObject({ listen: '0.0.0.0:8443', certFile: '/etc/bulwark/webhook-tls/tls.crt', injector: { controlPlane: { address: 'bw-bulwark.bulwark.svc:50052' } } });
  });

  it('the injector accepts its ConfigMap, and the pod it injects is a schema-valid Pod', () => {
    const r = render({ ...BASE, 'sidecar.env.BULWARK_TENANT_HEADER': 'x-org', 'sidecar.envoy.inject': 'always' });
    const injector = resolveInjectorConfig(JSON.parse(find(r, 'ConfigMap', '-injector').data['injector.json']));
    expect(injector).toMatchObject({ image: 'ghcr.io/bulwark/bulwark:0.1.0', env: { BULWARK_TENANT_HEADER: 'x-org' }, envoy: { inject: 'always' } });
    const review = JSON.parse(readFileSync(new URL('../mesh/admission-review.json', import.meta.url), 'utf8')) as AdmissionReview;
    const answer = reviewAdmission(review, injector, 'annotation');
    const patch = JSON.parse(Buffer.from(answer.review.response!.patch!, 'base64').toString('utf8'));
    const pod = applyPatch(review.request!.object as Record<string, unknown>, patch);
    expect(() => new Pod(pod as any).validate()).not.toThrow();
    expect((pod as any).spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'bulwark-sidecar', 'bulwark-envoy']);
  });

  it('webhook wiring: service paths the handler serves, port 443 → the container webhook port, caBundle that signed the serving certificate', () => {
    const r = render(BASE);
    const hooks = find(r, 'MutatingWebhookConfiguration').webhooks as any[];
    expect(hooks.map((h) => [h.name, h.clientConfig.service.path])).toEqual([
      ['namespace.sidecar-injector.bulwark.io', '/mutate/namespace'],
      ['annotation.sidecar-injector.bulwark.io', '/mutate'],
    ]);
    for (const h of hooks) {
      expect(h).toMatchObject({ sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Ignore', clientConfig: { service: { name: 'bw-bulwark', namespace: 'bulwark', port: 443 } } });
      expect(h.namespaceSelector.matchExpressions[0].values).toContain('bulwark');
    }
    const svc = find(r, 'Service');
    expect(svc.spec.ports).toContainEqual({ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' });
    const tls = find(r, 'Secret', '-webhook-tls').data as Record<string, string>;
    expect(hooks[0].clientConfig.caBundle).toBe(tls['ca.crt']);
    expect(hooks[1].clientConfig.caBundle).toBe(tls['ca.crt']);
    const cert = new X509Certificate(Buffer.from(tls['tls.crt']!, 'base64'));
    const ca = new X509Certificate(Buffer.from(tls['ca.crt']!, 'base64'));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:bw-bulwark.bulwark.svc');
  });

  it('NOTES.txt tells how to opt pods and namespaces in and where the sidecar token goes', () => {
    const notes = render(BASE, { notes: true });
    expect(notes.ok).toBe(true);
    expect(notes.text).toContain('bulwark.io/inject: "true"');
    expect(notes.text).toContain('kubectl label namespace <ns> bulwark.io/inject=enabled');
    expect(notes.text).toContain('create secret generic bulwark-sidecar-token');
  });
});
