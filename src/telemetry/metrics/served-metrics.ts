/**
 * A component's own registry plus the /metrics server that exposes it (sidecar, control
 * plane). The server starts when the component is ready to serve and stops with it.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { DEFAULT_METRICS_LISTEN } from './metrics-listen.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

export class ServedMetrics {
  readonly registry: Registry;
  private server: MetricsServer | undefined;

  constructor(
    private readonly listen: { host: string; port: number },
    options: { processMetrics?: boolean } = {},
  ) {
    this.registry = createMetricsRegistry(options);
  }

  /**
   * Starts GET /metrics on the listen address; rejects if it cannot bind, except on the
   * default address: a second Bulwark process on the host (tests, hostNetwork pods) finds it
   * taken and runs without metrics, with a warning, rather than not at all. An address the
   * operator chose must work.
   */
  async serve(logger: Logger): Promise<void> {
    try {
      this.server = await startMetricsServer(this.registry, this.listen, logger);
    } catch (err) {
      const isDefault = `${this.listen.host}:${this.listen.port}` === DEFAULT_METRICS_LISTEN;
      if (!isDefault || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      logger.warn({ metricsAddress: DEFAULT_METRICS_LISTEN }, 'the default metrics address is in use; serving without /metrics (set --metrics-listen)');
    }
  }

  /** "host:port" of /metrics once serving (port 0 resolved). */
  get address(): string | undefined {
    return this.server?.address;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
