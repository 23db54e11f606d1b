/**
 * The webhook over real HTTPS (a certificate made with openssl for 127.0.0.1), standalone and
 * started by the control plane; the CLI flags that configure it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/parse-flags.js';
import { WEBHOOK_FLAGS, webhookOptions } from '../../src/cli/webhook-flags.js';
import { hmacSecretFrom } from '../../src/control/auth/auth-config.js';
import { startControlPlane } from '../../src/control/start-control-plane.js';
import { startAdmissionServer, type AdmissionServer } from '../../src/mesh/admission-server.js';
import { resolveInjectorConfig } from '../../src/mesh/injector-config.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { createLogger } from '../../src/telemetry/logger.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const logger = createLogger({ level: 'silent' });
const REVIEW = readFileSync(new URL('./admission-review.json', import.meta.url), 'utf8');

function post(port: number, ca: Buffer, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: path === '/healthz' ? 'GET' : 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!hasOpenssl)('admission webhook server (needs openssl to make a test certificate)', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let server: AdmissionServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-webhook-'));
    cert = join(dir, 'tls.crt');
    key = join(dir, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    server = await startAdmissionServer({ listen: '127.0.0.1:0', certFile: cert, keyFile: key, injector: resolveInjectorConfig({}), logger });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('POST /mutate answers an AdmissionReview with a JSONPatch; /healthz is ok', async () => {
    const ca = readFileSync(cert);
    const r = await post(server.port, ca, '/mutate', REVIEW);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: 'AdmissionReview', response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true, patchType: 'JSONPatch' } });
    expect((await post(server.port, ca, '/healthz', '')).json).toEqual({ status: 'ok' });
  });

  it('/mutate/namespace injects an unannotated pod; annotation mode does not', async () => {
    const ca = readFileSync(cert);
    const review = JSON.parse(REVIEW) as { request: { object: { metadata: { annotations?: unknown } } } };
    delete review.request.object.metadata.annotations;
    const body = JSON.stringify(review);
    expect(((await post(server.port, ca, '/mutate', body)).json.response as Record<string, unknown>).patch).toBeUndefined();
    expect(((await post(server.port, ca, '/mutate/namespace', body)).json.response as Record<string, unknown>).patch).toBeDefined();
  });

  it('refuses bodies that are not AdmissionReviews (400) and unknown paths (404)', async () => {
    const ca = readFileSync(cert);
    expect((await post(server.port, ca, '/mutate', 'not json')).status).toBe(400);
    expect((await post(server.port, ca, '/mutate', '{"kind":"Pod"}')).status).toBe(400);
    expect((await post(server.port, ca, '/other', '{}')).status).toBe(404);
  });

  it('the control plane starts the webhook when given TLS files, and stops it on close', async () => {
    const db = await openPgliteDatabase('memory://');
    try {
      const plane = await startControlPlane({
        listen: '127.0.0.1:0',
        database: db,
        auth: { hmacSecret: hmacSecretFrom('x'.repeat(48)), clockToleranceSeconds: 60 },
        retentionIntervalMs: 0,
        logger,
        webhook: { listen: '127.0.0.1:0', certFile: cert, keyFile: key, injector: resolveInjectorConfig({}) },
      });
      const port = plane.webhook!.port;
      expect((await post(port, readFileSync(cert), '/mutate', REVIEW)).status).toBe(200);
      await plane.close(1000);
      await expect(post(port, readFileSync(cert), '/healthz', '')).rejects.toThrow();
    } finally {
      await db.close();
    }
  });

  it('bulwark control --webhook-* flags: all three or none; the config file is validated', () => {
    const parse = (args: string[]) => parseFlags(args, { ...WEBHOOK_FLAGS }, 0);
    expect(webhookOptions(parse([]), {})).toBeUndefined();
    expect(() => webhookOptions(parse(['--webhook-listen', ':8443']), {})).toThrow(/all of/);
    const config = join(dir, 'injector.yaml');
    writeFileSync(config, 'image: registry.example/bulwark:1\ncontrolPlane:\n  address: cp.bulwark.svc:50052\n');
    const options = webhookOptions(parse(['--webhook-config', config]), { BULWARK_WEBHOOK_LISTEN: '0.0.0.0:8443', BULWARK_WEBHOOK_CERT: cert, BULWARK_WEBHOOK_KEY: key });
    expect(options).toMatchObject({ listen: '0.0.0.0:8443', injector: { image: 'registry.example/bulwark:1', controlPlane: { address: 'cp.bulwark.svc:50052' } } });
    writeFileSync(config, 'port: 0\n');
    expect(() => webhookOptions(parse(['--webhook-config', config]), { BULWARK_WEBHOOK_LISTEN: ':1', BULWARK_WEBHOOK_CERT: cert, BULWARK_WEBHOOK_KEY: key })).toThrow(/--webhook-config: injector config: port/);
  });
});
