/**
 * The gRPC (grpc-js) face of the scan service: adapts grpc-js calls to the transport-neutral
 * handlers (scan-handler.ts, stream-scan-handler.ts).
 */
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type {
  CreateCanaryRequest,
  CreateCanaryResponse,
  FeedbackRequest,
  FeedbackResponse,
  ScanRequest,
  ScanResponse,
  StreamScanRequest,
  StreamScanResponse,
} from '../../gen/bulwark/v1/scan_service_pb.js';
import { handleCreateCanary } from './create-canary-handler.js';
import { handleFeedback } from './feedback-handler.js';
import { grpcCallContext, openStreamCall, type GrpcCallContext } from './grpc-call-context.js';
import { handleScan } from './scan-handler.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { toRpcError } from './status-errors.js';
import { StreamScanSession } from './stream-scan-handler.js';
import { depsForTransport } from '../telemetry/metrics/transport-scan-deps.js';
import { traceGrpcSync, traceGrpcUnary } from '../telemetry/tracing/traced-calls.js';

/** The grpc-js implementation of SecurityScanService (keys are the proto method names). */
export function grpcScanImplementation(sidecarDeps: ScanServiceDeps): UntypedServiceImplementation {
  const deps = depsForTransport(sidecarDeps, 'grpc');
  return {
    CreateCanary(call: ServerUnaryCall<CreateCanaryRequest, CreateCanaryResponse>, callback: sendUnaryData<CreateCanaryResponse>): void {
      try {
        callback(null, traceGrpcSync(call, () => handleCreateCanary(call.request, deps)));
      } catch (err) {
        const e = toRpcError(err);
        callback({ code: e.code, details: e.message });
      }
    },

    Feedback(call: ServerUnaryCall<FeedbackRequest, FeedbackResponse>, callback: sendUnaryData<FeedbackResponse>): void {
      handleFeedback(call.request, deps).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const e = toRpcError(err);
          callback({ code: e.code, details: e.message });
        },
      );
    },

    Scan(call: ServerUnaryCall<ScanRequest, ScanResponse>, callback: sendUnaryData<ScanResponse>): void {
      let callCtx: GrpcCallContext;
      try {
        callCtx = grpcCallContext(call);
      } catch (err) {
        const e = toRpcError(err);
        callback({ code: e.code, details: e.message });
        return;
      }
      traceGrpcUnary(call, callCtx.ctx, () => handleScan(call.request, callCtx.ctx, deps)).then(
        (response) => {
          callCtx.answered();
          callback(null, response);
        },
        (err: unknown) => {
          callCtx.answered();
          const e = toRpcError(err);
          callback({ code: e.code, details: e.message });
        },
      );
    },

    StreamScan(call: ServerDuplexStream<StreamScanRequest, StreamScanResponse>): void {
      const opened = openStreamCall(call, deps.calls);
      if (!opened) return;
      const { callCtx } = opened;
      const ctx = callCtx.ctx;
      const session = new StreamScanSession(deps, ctx, {
        send: (response) => {
          call.write(response);
        },
        pause: () => call.pause(),
        resume: () => call.resume(),
      });
      const done = (): void => opened.finish();
      ctx.signal.addEventListener(
        'abort',
        () => {
          session.abort();
          done();
        },
        { once: true },
      );
      call.on('data', (request: StreamScanRequest) => session.push(request));
      call.on('end', () => {
        void session.finish().then(() => {
          if (!ctx.signal.aborted) {
            callCtx.answered();
            call.end();
          }
          done();
        });
      });
      call.on('error', () => {
        session.abort();
        done();
      });
    },
  };
}
