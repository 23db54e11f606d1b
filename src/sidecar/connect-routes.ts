/**
 * The same scan handlers served with the Connect protocol (JSON and binary) through
 * @connectrpc/connect-node, for callers without a gRPC stack:
 *
 *   curl -d '{"content":"hi"}' -H 'content-type: application/json' \
 *     http://127.0.0.1:50051/bulwark.v1.SecurityScanService/Scan
 *
 * Served on the gRPC port over HTTP/1.1 (see connection-router.ts). StreamScan is registered
 * too, but bidirectional streaming needs HTTP/2, so over HTTP/1.1 only a client that sends its
 * whole request stream first can use it; streaming callers should use gRPC.
 */
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { SecurityScanService, type StreamScanRequest, type StreamScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { AsyncQueue } from './async-queue.js';
import { handleCreateCanary } from './create-canary-handler.js';
import { handleFeedback } from './feedback-handler.js';
import { callContext, deadlineReason, type CallContext } from './deadlines.js';
import { handleScan } from './scan-handler.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { toRpcError } from './status-errors.js';
import { StreamScanSession } from './stream-scan-handler.js';
import { depsForTransport } from '../telemetry/metrics/transport-scan-deps.js';
import { traceConnectStream, traceConnectSync, traceConnectUnary } from '../telemetry/tracing/traced-calls.js';

/** gRPC and Connect share code numbers. */
function connectErrorOf(err: unknown): ConnectError {
  const e = toRpcError(err);
  return new ConnectError(e.message, e.code as number as Code);
}

/**
 * Connect aborts `context.signal` at the deadline with a DeadlineExceeded ConnectError; the
 * pool tells deadlines from cancellations by a TimeoutError reason, so translate.
 */
function contextOf(context: HandlerContext): CallContext {
  const cancelled = new AbortController();
  const forward = (): void => {
    const reason: unknown = context.signal.reason;
    const timedOut = reason instanceof ConnectError && reason.code === Code.DeadlineExceeded;
    cancelled.abort(timedOut ? deadlineReason() : reason);
  };
  if (context.signal.aborted) forward();
  else context.signal.addEventListener('abort', forward, { once: true });
  const timeoutMs = context.timeoutMs();
  return callContext(timeoutMs === undefined ? 0 : Date.now() + timeoutMs, cancelled.signal);
}

/** Routes for connectNodeAdapter: SecurityScanService on the shared handlers. */
export function connectRoutes(sidecarDeps: ScanServiceDeps): (router: ConnectRouter) => void {
  const deps = depsForTransport(sidecarDeps, 'connect');
  return (router) => {
    router.service(SecurityScanService, {
      createCanary(request, context) {
        try {
          return traceConnectSync(context, () => handleCreateCanary(request, deps));
        } catch (err) {
          throw connectErrorOf(err);
        }
      },

      async feedback(request) {
        try {
          return await handleFeedback(request, deps);
        } catch (err) {
          throw connectErrorOf(err);
        }
      },

      async scan(request, context) {
        try {
          const ctx = contextOf(context);
          return await traceConnectUnary(context, ctx, () => handleScan(request, ctx, deps));
        } catch (err) {
          throw connectErrorOf(err);
        }
      },

      async *streamScan(requests: AsyncIterable<StreamScanRequest>, context): AsyncIterable<StreamScanResponse> {
        let endCall: () => void;
        let ctx: CallContext;
        try {
          endCall = deps.calls.begin();
        } catch (err) {
          throw connectErrorOf(err);
        }
        try {
          ctx = contextOf(context);
        } catch (err) {
          endCall();
          throw connectErrorOf(err);
        }
        const endSpan = traceConnectStream(context, ctx);
        const responses = new AsyncQueue<StreamScanResponse>();
        const session = new StreamScanSession(deps, ctx, { send: (r) => responses.push(r) });
        ctx.signal.addEventListener('abort', () => session.abort(), { once: true });
        void (async () => {
          for await (const request of requests) session.push(request);
          await session.finish();
        })().then(
          () => responses.close(),
          (err: unknown) => responses.fail(connectErrorOf(err)),
        );
        try {
          yield* responses;
        } finally {
          session.abort();
          endCall();
          endSpan();
        }
      },
    });
  };
}
