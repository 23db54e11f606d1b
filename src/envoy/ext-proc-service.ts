/**
 * envoy.service.ext_proc.v3.ExternalProcessor/Process over grpc-js: one ExtProcSession per
 * stream. Reading pauses while many messages wait for their answers (Envoy streams body
 * chunks without waiting), and the stream ends once Envoy half-closes and every message has
 * been answered. A failure ends the stream with its gRPC status: Envoy then fails the request,
 * unless its failure_mode_allow lets it through.
 */
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ProcessingRequest, ProcessingResponse } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { checkDecoded } from '../sidecar/content-limits.js';
import { isServerFault, toRpcError } from '../sidecar/status-errors.js';
import { ExtProcSession, type ExtProcDeps } from './ext-proc-session.js';
import { openStreamCall } from '../sidecar/grpc-call-context.js';

/** Messages waiting for an answer at which reading pauses, and resumes. */
const PAUSE_AT = 64;
const RESUME_AT = 16;

export function extProcImplementation(deps: ExtProcDeps): UntypedServiceImplementation {
  return {
    Process(call: ServerDuplexStream<ProcessingRequest, ProcessingResponse>): void {
      const opened = openStreamCall(call, deps.scan.calls);
      if (!opened) return;
      const context = opened.callCtx;
      const done = (): void => opened.finish();
      const session = new ExtProcSession(deps, context.ctx, (response) => call.write(response));
      const fail = (err: unknown): void => {
        if (opened.finished) return;
        const e = toRpcError(err);
        deps.scan.scanMetrics?.rejected(e);
        if (isServerFault(e)) deps.scan.logger.error({ code: e.code, err: (err as Error)?.name }, 'ext_proc stream failed');
        context.answered();
        call.emit('error', { code: e.code, details: e.message });
        opened.finish(e);
      };
      let waiting = 0;
      let paused = false;
      call.on('data', (message: ProcessingRequest) => {
        try {
          checkDecoded(message);
        } catch (err) {
          session.abort();
          fail(err);
          return;
        }
        waiting++;
        if (!paused && waiting >= PAUSE_AT) {
          paused = true;
          call.pause();
        }
        void session.push(message, fail).then(() => {
          waiting--;
          if (paused && waiting <= RESUME_AT) {
            paused = false;
            call.resume();
          }
        });
      });
      call.on('end', () => {
        void session.idle().then(() => {
          if (opened.finished) return;
          context.answered();
          call.end();
          done();
        });
      });
      context.ctx.signal.addEventListener('abort', () => {
        session.abort();
        done();
      }, { once: true });
      call.on('error', () => {
        session.abort();
        done();
      });
    },
  };
}
