/**
 * StreamScan, independent of the transport: a session per RPC multiplexing logical streams by
 * `stream_id`.
 *
 * Per logical stream the session keeps the text not yet released, the tail of the released
 * text (context for the next window, so a pattern straddling the cut is still seen), the
 * stream offset in code points, the action so far, and one scan id. Every chunk becomes one
 * pool.scanWindow and one response; a stream's chunks run strictly in order (a promise chain
 * per stream) while different streams run concurrently on the pool.
 *
 * Endings:
 * - client `end_of_stream`: the final window releases the held-back tail; the response has
 *   end_of_stream=true. The id may then be used again for a NEW logical stream.
 * - BLOCK: the stream ends at once with action BLOCK, end_of_stream=true and nothing more
 *   released. Its id stays closed for the rest of the RPC: every later chunk with that id is
 *   answered with `error` FAILED_PRECONDITION (not silently dropped, so a client cannot
 *   mistake silence for progress, and never scanned as a fresh stream).
 * - per-stream failure (chunk over the size limit, invalid UTF-8, queue full, scanner error):
 *   one response with `error` and end_of_stream=true; the id is closed as for BLOCK. Other
 *   logical streams are unaffected.
 * - half-close of the RPC: every open logical stream gets its final window, then the RPC ends.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import {
  StreamErrorSchema,
  StreamScanResponseSchema,
  type StreamScanRequest,
  type StreamScanResponse,
} from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import type { ActionName, DirectionName } from '../detectors/types.js';
import type { StreamWindowResult, StreamWindowTask } from '../engine/types.js';
import { codePointLength, tailOf } from './code-points.js';
import { checkContentSize, checkDecoded } from './content-limits.js';
import type { CallContext } from './deadlines.js';
import { actionEnum, directionName, moreSevere, tenantOrDefault, threatMessage } from './proto-mapping.js';
import type { StreamScanRecord } from './scan-record-sink.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { isServerFault, RpcError, toRpcError } from './status-errors.js';
import { logScanFinished, requestLogger } from '../telemetry/request-log.js';
import { endStreamSpan, openStreamSpan, traceWindow, type StreamTrace } from '../telemetry/tracing/stream-spans.js';

/** UTF-16 units of released text kept as context for the next window. */
export const STREAM_CONTEXT_CHARS = 256;
/** Closed ids remembered per RPC; beyond this the oldest are forgotten. */
const MAX_CLOSED_IDS = 10_000;
/** Queued chunks (all streams of one RPC) at which the transport stops reading, and resumes. */
const PAUSE_AT = 256;
const RESUME_AT = 64;

/** Where a session's responses go, and how it applies backpressure to its transport. */
export interface StreamScanSink {
  send(response: StreamScanResponse): void;
  pause?(): void;
  resume?(): void;
}

type ClosedReason = 'blocked' | 'failed';

interface LogicalStream {
  readonly id: string;
  readonly tenantId: string;
  readonly direction: DirectionName;
  readonly policyId: string;
  readonly requestId: string;
  readonly scanId: string;
  /** From the stream's first message; "" = none. */
  readonly systemPrompt: string;
  /** Replies the request's injected input demanded (linked by request_id); hijack detection. */
  readonly demandedReplies: string[] | undefined;
  unreleased: string;
  context: string;
  /** Code points released so far. */
  offset: number;
  action: ActionName;
  policyVersion: string;
  /** The last queued step; the next chunk chains onto it. */
  last: Promise<void>;
  /** A final window is queued: a later chunk with this id starts a new logical stream. */
  inputEnded: boolean;
  closed: ClosedReason | undefined;
  /** The stream's scan record, when records are shipped; finished when the stream ends. */
  record?: StreamScanRecord;
  /** The stream's span, when the call is traced; ended when the stream ends. */
  trace?: StreamTrace;
}

/** One StreamScan RPC: its logical streams, their order, endings and backpressure. */
export class StreamScanSession {
  private readonly streams = new Map<string, LogicalStream>();
  private readonly closedIds = new Map<string, ClosedReason>();
  private queued = 0;
  private paused = false;
  private aborted = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly deps: ScanServiceDeps,
    private readonly ctx: CallContext,
    private readonly sink: StreamScanSink,
  ) {}

  /** One request from the client. Never throws: problems become per-stream error responses. */
  push(request: StreamScanRequest): void {
    if (this.aborted) return;
    const id = request.streamId;
    const closedAs = this.closedIds.get(id);
    if (closedAs) {
      this.send(this.closedResponse(id, closedAs));
      return;
    }
    let stream = this.streams.get(id);
    if (!stream || stream.inputEnded) {
      const opened = this.open(request, stream?.last);
      if (!opened) return;
      stream = opened;
    }
    if (request.endOfStream) stream.inputEnded = true;
    const target = stream;
    this.enqueue(target, () => this.processChunk(target, request));
  }

  /** The client half-closed: flush every open logical stream, then resolve. */
  async finish(): Promise<void> {
    for (const stream of this.streams.values()) {
      if (stream.inputEnded || stream.closed) continue;
      stream.inputEnded = true;
      this.enqueue(stream, () => this.window(stream, stream.unreleased, true));
    }
    await this.idle();
  }

  /** The RPC is gone (cancelled, deadline): stop sending; queued pool tasks see the call's signal. */
  abort(): void {
    this.aborted = true;
    for (const stream of this.streams.values()) {
      stream.record?.finish(stream.action);
      endStreamSpan(stream.trace, stream.action, new RpcError(status.CANCELLED, 'the call ended'));
    }
    for (const wake of [...this.idleWaiters]) wake();
  }

  private open(request: StreamScanRequest, after: Promise<void> | undefined): LogicalStream | undefined {
    let direction: DirectionName;
    try {
      checkDecoded(request);
      direction = directionName(request.direction);
      checkContentSize(request.systemPrompt, this.deps.maxContentBytes, 'system_prompt');
    } catch (err) {
      this.closeId(request.streamId, 'failed');
      const rpcError = toRpcError(err);
      this.deps.scanMetrics?.rejected(rpcError);
      this.send(this.errorResponse(request.streamId, request.requestId, rpcError));
      return undefined;
    }
    const stream: LogicalStream = {
      id: request.streamId,
      tenantId: tenantOrDefault(request.tenantId),
      direction,
      policyId: request.policyId,
      requestId: request.requestId || randomUUID(),
      scanId: randomUUID(),
      systemPrompt: request.systemPrompt,
      demandedReplies: direction === 'OUTPUT' ? this.deps.demandedReplies?.demandsFor(tenantOrDefault(request.tenantId), request.requestId) : undefined,
      unreleased: '',
      context: '',
      offset: 0,
      action: 'ALLOW',
      policyVersion: '',
      // A reused id starts after the previous stream of that id has finished.
      last: after ?? Promise.resolve(),
      inputEnded: false,
      closed: undefined,
    };
    if (this.deps.scanRecords) {
      const ids = { scanId: stream.scanId, requestId: stream.requestId, agentId: request.agentId, tenantId: stream.tenantId, direction, startedAt: Date.now() };
      stream.record = this.deps.scanRecords.openStream(ids);
    }
    stream.trace = openStreamSpan(this.ctx.trace, stream.tenantId, direction);
    this.streams.set(stream.id, stream);
    return stream;
  }

  private enqueue(stream: LogicalStream, step: () => Promise<void>): void {
    this.queued++;
    if (!this.paused && this.queued >= PAUSE_AT) {
      this.paused = true;
      this.sink.pause?.();
    }
    stream.last = stream.last
      .then(step)
      .catch((err: unknown) => this.fail(stream, err))
      .finally(() => {
        this.queued--;
        if (this.paused && this.queued <= RESUME_AT) {
          this.paused = false;
          this.sink.resume?.();
        }
        if (this.queued === 0) for (const wake of [...this.idleWaiters]) wake();
      });
  }

  private async processChunk(stream: LogicalStream, request: StreamScanRequest): Promise<void> {
    if (this.aborted) return;
    if (stream.closed) {
      this.send(this.closedResponse(stream.id, stream.closed));
      return;
    }
    checkDecoded(request);
    checkContentSize(request.content, this.deps.maxContentBytes, 'chunk');
    stream.record?.addContent(request.content);
    const text = stream.unreleased + request.content;
    if (text.length * 3 > this.deps.maxContentBytes && Buffer.byteLength(text, 'utf8') > this.deps.maxContentBytes) {
      throw new RpcError(status.RESOURCE_EXHAUSTED, `unreleased text of the stream is over the limit of ${this.deps.maxContentBytes} bytes`);
    }
    await this.window(stream, text, request.endOfStream);
  }

  private async window(stream: LogicalStream, text: string, final: boolean): Promise<void> {
    if (this.aborted || stream.closed) return;
    let result: StreamWindowResult | undefined;
    if (text.length > 0) {
      const task: StreamWindowTask = {
        tenantId: stream.tenantId,
        direction: stream.direction,
        policyId: stream.policyId,
        content: stream.context + text,
        prefixLength: stream.context.length,
        streamOffset: stream.offset,
        final,
        holdBack: this.deps.streamHoldBack,
        deadline: this.ctx.deadline,
      };
      if (stream.systemPrompt) task.systemPrompt = stream.systemPrompt;
      if (stream.demandedReplies) task.demandedReplies = stream.demandedReplies;
      result = await traceWindow(stream.trace, task, () => this.deps.pool.scanWindow(task, this.ctx.signal));
      if (this.aborted) return;
      const released = text.slice(0, result.releaseLength);
      stream.offset += codePointLength(released);
      stream.context = tailOf(stream.context + released, STREAM_CONTEXT_CHARS);
      stream.unreleased = text.slice(result.releaseLength);
      stream.action = moreSevere(stream.action, result.action);
      stream.policyVersion = result.policyVersion;
      stream.record?.addWindow(result);
    }
    const blocked = stream.action === 'BLOCK';
    if (blocked) this.closeStream(stream, 'blocked');
    else if (final) this.retire(stream);
    this.send(
      create(StreamScanResponseSchema, {
        streamId: stream.id,
        action: actionEnum(stream.action),
        threats: result ? result.threats.map(threatMessage) : [],
        releasedContent: blocked ? '' : (result?.releasedText ?? ''),
        endOfStream: blocked || final,
        scanId: stream.scanId,
        policyVersion: stream.policyVersion,
        requestId: stream.requestId,
      }),
    );
  }

  private fail(stream: LogicalStream, err: unknown): void {
    if (this.aborted || stream.closed) return;
    const rpcError = toRpcError(err);
    this.deps.scanMetrics?.rejected(rpcError);
    if (isServerFault(rpcError)) requestLogger(this.deps.logger, this.logIds(stream)).error({ code: rpcError.code }, 'stream window failed');
    endStreamSpan(stream.trace, stream.action, rpcError);
    this.closeStream(stream, 'failed');
    this.send(this.errorResponse(stream.id, stream.requestId, rpcError, stream));
  }

  private closeStream(stream: LogicalStream, reason: ClosedReason): void {
    stream.closed = reason;
    this.retire(stream);
    this.closeId(stream.id, reason);
  }

  /** Forgets a finished stream (its id becomes free unless closeId marks it). */
  private retire(stream: LogicalStream): void {
    stream.record?.finish(stream.action);
    endStreamSpan(stream.trace, stream.action);
    logScanFinished(this.deps.logger, this.logIds(stream), { direction: stream.direction, action: stream.action, threats: [], policyVersion: stream.policyVersion }, 'stream finished');
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
  }

  private logIds(stream: LogicalStream): { requestId: string; tenantId: string; scanId: string } {
    return { requestId: stream.requestId, tenantId: stream.tenantId, scanId: stream.scanId };
  }

  private closeId(id: string, reason: ClosedReason): void {
    this.closedIds.set(id, reason);
    if (this.closedIds.size > MAX_CLOSED_IDS) {
      const oldest = this.closedIds.keys().next().value;
      if (oldest !== undefined) this.closedIds.delete(oldest);
    }
  }

  private errorResponse(id: string, requestId: string, err: RpcError, stream?: LogicalStream): StreamScanResponse {
    return create(StreamScanResponseSchema, {
      streamId: id,
      action: stream ? actionEnum(stream.action) : Action.UNSPECIFIED,
      endOfStream: true,
      scanId: stream?.scanId ?? '',
      policyVersion: stream?.policyVersion ?? '',
      requestId,
      error: create(StreamErrorSchema, { code: err.code, message: err.message }),
    });
  }

  private closedResponse(id: string, reason: ClosedReason): StreamScanResponse {
    return create(StreamScanResponseSchema, {
      streamId: id,
      action: reason === 'blocked' ? Action.BLOCK : Action.UNSPECIFIED,
      endOfStream: true,
      error: create(StreamErrorSchema, {
        code: status.FAILED_PRECONDITION,
        message: reason === 'blocked' ? 'this logical stream was blocked and has ended' : 'this logical stream failed and has ended',
      }),
    });
  }

  private send(response: StreamScanResponse): void {
    if (this.aborted) return;
    this.sink.send(response);
  }

  private idle(): Promise<void> {
    if (this.queued === 0 || this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        if (this.queued !== 0 && !this.aborted) return;
        this.idleWaiters.delete(wake);
        resolve();
      };
      this.idleWaiters.add(wake);
    });
  }
}
