/**
 * The scrape endpoint: GET /metrics on its own small HTTP server (not the gRPC port, whose
 * connection router and drain belong to the scan traffic).
 *
 * Format: Prometheus text 0.0.4, whatever the Accept header asks. prom-client can write
 * OpenMetrics, but only as a property of a whole registry, and switching it renames counters
 * in place (the `_total` suffix is stripped from the metric objects), so one registry cannot
 * answer both formats safely; Prometheus itself accepts text 0.0.4 from every target.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

export interface MetricsServer {
  /** "host:port" actually bound. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, listen: { host: string; port: number }, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err: (err as Error)?.message }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
  });
  // A scrape is one short request; idle keep-alive sockets must not hold the process at exit.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : listen.port;
  const address = listen.host.includes(':') ? `[${listen.host}]:${port}` : `${listen.host}:${port}`;
  logger.info({ metricsAddress: address }, 'metrics listening (GET /metrics)');
  return {
    address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
