/**
 * The HTTPS endpoint the API server calls for the mutating webhook: POST /mutate (annotation
 * opt-in) and POST /mutate/namespace (namespaces labelled for injection), AdmissionReview
 * v1 JSON in and out; GET /healthz for probes. The API server only talks TLS to webhooks, so
 * the server needs a certificate for the webhook Service's DNS name (the Helm chart makes one
 * and puts its CA in the MutatingWebhookConfiguration).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../telemetry/logger.js';
import type { InjectorConfig } from './injector-config.js';
import { reviewAdmission, type AdmissionReview, type InjectionMode } from './sidecar-injector.js';

/** An AdmissionReview of a pod is a few KB; the API server's own limit is 3 MiB. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface AdmissionServerOptions {
  /** host:port; port 0 picks a free port. */
  listen: string;
  /** PEM certificate and key (files), e.g. from the chart's webhook TLS Secret. */
  certFile: string;
  keyFile: string;
  injector: InjectorConfig;
  logger: Logger;
}

export interface AdmissionServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** The request handler, separate from the TLS server so it can be mounted elsewhere. */
export function admissionHandler(injector: InjectorConfig, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'https://webhook');
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (url.pathname !== '/mutate' && url.pathname !== '/mutate/namespace') return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    // Two paths rather than a query parameter: webhook service paths carry no query string.
    const mode: InjectionMode = url.pathname === '/mutate/namespace' ? 'namespace' : 'annotation';
    readBody(req).then(
      (text) => {
        let review: AdmissionReview;
        try {
          review = JSON.parse(text) as AdmissionReview;
        } catch {
          return send(res, 400, { error: 'body is not JSON' });
        }
        if (review?.kind !== 'AdmissionReview' || !review.request?.uid) return send(res, 400, { error: 'not an AdmissionReview with a request' });
        const out = reviewAdmission(review, injector, mode);
        logger.info({ uid: review.request.uid, namespace: review.request.namespace, injected: out.injected, reason: out.reason, mode }, 'admission review');
        send(res, 200, out.review);
      },
      () => send(res, 413, { error: 'body too large' }),
    );
  };
}

export async function startAdmissionServer(options: AdmissionServerOptions): Promise<AdmissionServer> {
  const server: Server = createServer(
    { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile), minVersion: 'TLSv1.2' },
    admissionHandler(options.injector, options.logger),
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  const at = options.listen.lastIndexOf(':');
  const host = options.listen.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(options.listen.slice(at + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  options.logger.info({ port: (server.address() as AddressInfo).port }, 'sidecar injector webhook listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
