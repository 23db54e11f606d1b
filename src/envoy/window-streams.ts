/**
 * Awaitable hold-back windows over text streams, for the streamed bodies ext_proc sees. This
 * reuses the sidecar's StreamScan session as it is (one logical stream per key, the engine's
 * scanWindow through the pool, the same context and hold-back rules), so a PII value split
 * across SSE deltas is held until it can be redacted whole: there is one hold-back algorithm.
 *
 * Every chunk pushed gets exactly one answer from the session, in order per stream, so a FIFO
 * of waiters per key pairs answers with calls.
 */
import { create } from '@bufbuild/protobuf';
import { StreamScanRequestSchema, type StreamScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action, Direction, ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import type { ActionName, DirectionName } from '../detectors/types.js';
import type { CallContext } from '../sidecar/deadlines.js';
import type { ScanServiceDeps } from '../sidecar/scan-service-deps.js';
import { StreamScanSession } from '../sidecar/stream-scan-handler.js';

export interface WindowStep {
  /** Text now safe to pass on (redacted); "" when held back or blocked. */
  released: string;
  /** The stream's action so far. */
  action: ActionName;
  /** Threat types of this step. */
  threatTypes: string[];
  scanId: string;
  policyVersion: string;
  /** Set when the step failed (size limit, overload, scanner error): the stream has ended. */
  error?: { code: number; message: string };
}

export interface WindowStreamsOptions {
  tenantId: string;
  policyId: string;
  requestId: string;
  direction: DirectionName;
  /** Output guards: sent with the first chunk of each logical stream. */
  systemPrompt?: string;
}

function actionName(action: Action): ActionName {
  switch (action) {
    case Action.BLOCK:
      return 'BLOCK';
    case Action.REDACT:
      return 'REDACT';
    case Action.WARN:
      return 'WARN';
    default:
      return 'ALLOW';
  }
}

export class WindowStreams {
  private readonly session: StreamScanSession;
  private readonly waiters = new Map<string, Array<(r: StreamScanResponse) => void>>();
  private readonly started = new Set<string>();

  constructor(
    deps: ScanServiceDeps,
    ctx: CallContext,
    private readonly options: WindowStreamsOptions,
  ) {
    this.session = new StreamScanSession(deps, ctx, { send: (response) => this.answer(response) });
  }

  /** Passes `text` through the window of stream `key`; `final` releases everything held. */
  next(key: string, text: string, final: boolean): Promise<WindowStep> {
    const first = !this.started.has(key);
    this.started.add(key);
    if (final) this.started.delete(key);
    const answered = new Promise<StreamScanResponse>((resolve) => {
      const queue = this.waiters.get(key) ?? [];
      queue.push(resolve);
      this.waiters.set(key, queue);
    });
    this.session.push(
      create(StreamScanRequestSchema, {
        streamId: key,
        tenantId: this.options.tenantId,
        policyId: this.options.policyId,
        requestId: this.options.requestId,
        direction: this.options.direction === 'OUTPUT' ? Direction.OUTPUT : Direction.INPUT,
        content: text,
        endOfStream: final,
        ...(first && this.options.systemPrompt ? { systemPrompt: this.options.systemPrompt } : {}),
      }),
    );
    return answered.then((r) => ({
      released: r.releasedContent,
      action: actionName(r.action),
      threatTypes: [...new Set(r.threats.map((t) => ThreatType[t.type] ?? 'UNSPECIFIED'))],
      scanId: r.scanId,
      policyVersion: r.policyVersion,
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    }));
  }

  /** The HTTP stream is gone: no more answers. */
  abort(): void {
    this.session.abort();
  }

  private answer(response: StreamScanResponse): void {
    const queue = this.waiters.get(response.streamId);
    const resolve = queue?.shift();
    if (queue && queue.length === 0) this.waiters.delete(response.streamId);
    resolve?.(response);
  }
}
