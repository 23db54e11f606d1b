/**
 * Control-plane metrics: every call by method and status code, over gRPC and Connect alike
 * (interceptors on both servers, so no service needs to know), unary latency, policy snapshots pushed to sidecars, and open
 * policy streams (= connected sidecars).
 *
 * Method labels are the registered method paths (interceptors only see calls to registered
 * handlers), so the label set is bounded by the API. Streaming calls are counted when they
 * end; their duration is a connection lifetime and is kept out of the latency histogram.
 */
import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Gauge, Histogram } from 'prom-client';
import { RPC_SECONDS_BUCKETS } from './buckets.js';
import { LabelChildren } from './label-children.js';
import { parseMetricsListen } from './metrics-listen.js';
import { ServedMetrics } from './served-metrics.js';

/** Every server message on this stream is one policy snapshot (policy-sync-session.ts). */
const STREAM_POLICIES_PATH = '/bulwark.v1.PolicySyncService/StreamPolicies';

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));

export class ControlPlaneMetrics extends ServedMetrics {
  private readonly requests: LabelChildren<Counter.Internal>;
  private readonly durations: LabelChildren<Histogram.Internal<'method' | 'code'>>;
  private readonly pushes: Counter;

  constructor(listen: { host: string; port: number }) {
    super(listen);
    const registers = [this.registry];
    const requests = new Counter({
      name: 'bulwark_control_rpc_requests_total',
      help: 'Control-plane gRPC calls finished, by method and status code.',
      labelNames: ['method', 'code'] as const,
      registers,
    });
    this.requests = new LabelChildren((method, code) => requests.labels(method!, code!));
    const durations = new Histogram({
      name: 'bulwark_control_rpc_duration_seconds',
      help: 'Control-plane unary call latency, by method and status code.',
      labelNames: ['method', 'code'] as const,
      buckets: RPC_SECONDS_BUCKETS,
      registers,
    });
    this.durations = new LabelChildren((method, code) => durations.labels(method!, code!));
    this.pushes = new Counter({
      name: 'bulwark_control_policy_snapshots_pushed_total',
      help: 'Policy snapshots sent to sidecars over policy streams.',
      registers,
    });
  }

  /** Open policy streams, read at scrape time (policySync.openStreams). */
  watchConnectedSidecars(openStreams: () => number): void {
    new Gauge({
      name: 'bulwark_control_connected_sidecars',
      help: 'Policy streams open on this replica (one per connected sidecar).',
      registers: [this.registry],
      collect() {
        this.set(openStreams());
      },
    });
  }

  /** The grpc-js server interceptor that records every call. */
  interceptor(): ServerInterceptor {
    return (method, call) => {
      const started = performance.now();
      const name = method.path.slice(1);
      const unary = !method.requestStream && !method.responseStream;
      const pushes = method.path === STREAM_POLICIES_PATH;
      let finished = false;
      const finish = (code: number): void => {
        if (finished) return;
        finished = true;
        this.record(name, code, unary ? started : undefined);
      };
      return new ServerInterceptingCall(call, {
        start: (next) => next({ onCancel: () => finish(status.CANCELLED) }),
        sendMessage: (message, next) => {
          if (pushes) this.pushes.inc();
          next(message);
        },
        sendStatus: (st, next) => {
          finish(st.code ?? status.UNKNOWN);
          next(st);
        },
      });
    };
  }

  /** The same for the Connect (HTTP/1.1) admin routes; Connect codes are gRPC's numbers. */
  connectInterceptor(): Interceptor {
    return (next) => async (req) => {
      const started = performance.now();
      const name = `${req.method.parent.typeName}/${req.method.name}`;
      const timed = req.method.methodKind === 'unary' ? started : undefined;
      try {
        const response = await next(req);
        this.record(name, status.OK, timed);
        return response;
      } catch (err) {
        this.record(name, ConnectError.from(err).code as number, timed);
        throw err;
      }
    };
  }

  private record(method: string, code: number, startedAt: number | undefined): void {
    const codeName = CODE_NAMES[code] ?? String(code);
    this.requests.get(method, codeName).inc();
    if (startedAt !== undefined) this.durations.get(method, codeName).observe((performance.now() - startedAt) / 1000);
  }
}

/** The control plane's metrics for `metricsListen` ("host:port"; undefined or "off" = none). */
export function controlPlaneMetricsFor(metricsListen: string | undefined): ControlPlaneMetrics | undefined {
  const listen = parseMetricsListen(metricsListen ?? 'off');
  return listen === 'off' ? undefined : new ControlPlaneMetrics(listen);
}
