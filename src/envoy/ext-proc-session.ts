/**
 * One ext_proc stream = one HTTP request and its response. Messages are handled strictly in
 * order and (outside FULL_DUPLEX_STREAMED body mode) each gets exactly one answer of the
 * matching kind, or an ImmediateResponse.
 *
 * Request: headers → remember route, tenant, API; ask the upstream for an uncompressed answer
 * (Accept-Encoding removed: a compressed answer cannot be scanned). Body → collected to its
 * end (earlier STREAMED chunks are answered "clear" and the last carries the whole, possibly
 * redacted, body), scanned as INPUT: BLOCK → 403 JSON; REDACT → the body with the offending
 * values rewritten inside the JSON.
 *
 * Response: headers → how to scan the body (SSE, JSON, text, binary). SSE and streamed text →
 * hold-back windows chunk by chunk (stream-rewriters.ts); JSON (and BUFFERED text) → scanned
 * whole as OUTPUT. BLOCK before anything was sent → 403 JSON; after headers went out in
 * STREAMED mode → the body ends with an error marker and later chunks are cleared.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '@bufbuild/protobuf';
import { ProcessingMode_BodySendMode as BodyMode } from '../../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import type { HttpBody, HttpHeaders, ProcessingRequest, ProcessingResponse } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import type { DirectionName } from '../detectors/types.js';
import type { CallContext } from '../sidecar/deadlines.js';
import type { ScanServiceDeps } from '../sidecar/scan-service-deps.js';
import { BodyAccumulator } from './body-accumulator.js';
import { requestBodyTexts, responseBodyTexts, type BodyTexts } from './body-texts.js';
import { blockedJson, type BlockInfo } from './blocked-bodies.js';
import { bodyText, contentKind, isEncoded, type ContentKind } from './content-kind.js';
import { ACTION_HEADER, METADATA_NAMESPACE, PARTIAL_HEADER, refusesUnscannable, SCAN_ID_HEADER, type ResolvedEnvoyOptions } from './envoy-options.js';
import { bodyAnswer, headersAnswer, immediateAnswer, trailersAnswer, type BodyEdit, type HeaderChanges } from './ext-proc-responses.js';
import { headerRecord } from './header-map.js';
import { editJsonValues } from './json-string-edits.js';
import { llmApiOf, type LlmApi } from './llm-api-route.js';
import { outputGuardFields } from './output-guard-hook.js';
import { outcomeMetadata, type ScanOutcome } from './scan-outcome.js';
import { BodyTooLargeError, policyFailMode, scanSegments } from './segment-scanner.js';
import { SseRewriter, TextStreamRewriter, type StreamVerdict } from './stream-rewriters.js';
import { WindowStreams } from './window-streams.js';

export interface ExtProcDeps {
  scan: ScanServiceDeps;
  options: ResolvedEnvoyOptions;
  /** Largest body collected for a whole-body scan (bytes); larger bodies are unscannable. */
  maxBodyBytes: number;
}

type Phase = 'request' | 'response';

interface PhaseState {
  headers: Record<string, string>;
  kind: ContentKind;
  /** Body send mode from protocol_config; undefined when Envoy did not say (before v1.34). */
  mode: BodyMode | undefined;
  body: BodyAccumulator;
  /** Nothing more to do for this phase's body (answered unchanged). */
  passthrough: boolean;
  rewriter: SseRewriter | TextStreamRewriter | undefined;
  /** A body ended with a block marker; later chunks are cleared. */
  done: boolean;
}

const decoder = new TextDecoder();

export class ExtProcSession {
  private last: Promise<void> = Promise.resolve();
  private aborted = false;
  private observability = false;
  private tenantId = '';
  private policyId = '';
  private requestId = '';
  private api: LlmApi | undefined;
  private systemPrompt = '';
  private inputText = '';
  private requestOutcome: ScanOutcome | undefined;
  private readonly phases: Record<Phase, PhaseState>;
  private windows: WindowStreams | undefined;

  constructor(
    private readonly deps: ExtProcDeps,
    private readonly ctx: CallContext,
    private readonly send: (response: ProcessingResponse) => void,
  ) {
    const phase = (): PhaseState => ({
      headers: {},
      kind: 'text',
      mode: undefined,
      body: new BodyAccumulator(deps.maxBodyBytes),
      passthrough: false,
      rewriter: undefined,
      done: false,
    });
    this.phases = { request: phase(), response: phase() };
  }

  /**
   * One message from Envoy; answered in order. Never rejects: a failure aborts the session and
   * goes to `fail` (the transport ends the stream with an error status). Resolves when this
   * message has been answered.
   */
  push(message: ProcessingRequest, fail: (err: unknown) => void): Promise<void> {
    this.last = this.last
      .then(async () => {
        if (this.aborted) return;
        const answers = await this.handle(message);
        if (this.observability || this.aborted) return;
        for (const answer of answers) this.send(answer);
      })
      .catch((err: unknown) => {
        if (this.aborted) return;
        this.abort();
        fail(err);
      });
    return this.last;
  }

  /** Resolves once every message received so far has been answered. */
  idle(): Promise<void> {
    return this.last;
  }

  abort(): void {
    this.aborted = true;
    this.windows?.abort();
  }

  private async handle(message: ProcessingRequest): Promise<ProcessingResponse[]> {
    if (message.observabilityMode) this.observability = true;
    if (message.protocolConfig) {
      this.phases.request.mode = message.protocolConfig.requestBodyMode;
      this.phases.response.mode = message.protocolConfig.responseBodyMode;
    }
    const request = message.request;
    switch (request.case) {
      case 'requestHeaders':
        return [this.requestHeaders(request.value)];
      case 'responseHeaders':
        return [this.responseHeaders(request.value)];
      case 'requestBody':
        return this.body('request', request.value);
      case 'responseBody':
        return this.body('response', request.value);
      case 'requestTrailers':
        return [...(await this.flushAtTrailers('request')), trailersAnswer('request')];
      case 'responseTrailers':
        return [...(await this.flushAtTrailers('response')), trailersAnswer('response')];
      default:
        return [];
    }
  }

  private unknownAs(): 'text' | 'binary' {
    return this.deps.options.unknownContent === 'skip' ? 'binary' : 'text';
  }

  private requestHeaders(message: HttpHeaders): ProcessingResponse {
    const state = this.phases.request;
    state.headers = headerRecord(message.headers);
    const path = state.headers[':path'] ?? '';
    this.api = llmApiOf(path);
    this.tenantId = state.headers[this.deps.options.tenantHeader] ?? '';
    this.policyId = state.headers[this.deps.options.policyHeader] ?? '';
    this.requestId = state.headers['x-request-id'] ?? '';
    state.kind = contentKind(state.headers['content-type'], this.unknownAs());
    if (state.kind === 'binary') state.passthrough = true;
    // The answer will be scanned: it must not come back compressed.
    return headersAnswer('request', { remove: ['accept-encoding'] });
  }

  private responseHeaders(message: HttpHeaders): ProcessingResponse {
    const state = this.phases.response;
    state.headers = headerRecord(message.headers);
    state.kind = contentKind(state.headers['content-type'], this.unknownAs());
    if (state.kind === 'binary') state.passthrough = true;
    const changes: HeaderChanges = {};
    if (isEncoded(state.headers['content-encoding']) && state.kind !== 'binary') {
      // Compressed despite the request's missing Accept-Encoding: the bytes cannot be scanned.
      if (this.failMode() === 'closed' && !message.endOfStream) {
        const info: BlockInfo = { reason: 'unscannable', threatTypes: [], scanId: randomUUID() };
        return immediateAnswer(StatusCode.BadGateway, blockedJson(info, this.api), 'bulwark_unscannable_encoding', [[SCAN_ID_HEADER, info.scanId]]);
      }
      state.passthrough = true;
    }
    if (this.requestOutcome) changes.set = [[SCAN_ID_HEADER, this.requestOutcome.scanId]];
    return headersAnswer('response', changes);
  }

  private failMode(): 'open' | 'closed' {
    return policyFailMode(this.deps.scan.pool, this.tenantId, this.policyId);
  }

  /** A truncated or over-limit body: refused, or passed on / scanned as far as it goes. */
  private refusesUnscannable(): boolean {
    return refusesUnscannable(this.deps.options.partialBody, this.failMode());
  }

  /** How to answer a body chunk with `text`; `final` marks the last chunk. */
  private edit(phase: Phase, text: string | Uint8Array, final: boolean): BodyEdit {
    const body = typeof text === 'string' ? text : decoder.decode(text);
    return this.phases[phase].mode === BodyMode.FULL_DUPLEX_STREAMED ? { kind: 'duplex', body, end: final } : { kind: 'replace', body };
  }

  private duplex(phase: Phase): boolean {
    return this.phases[phase].mode === BodyMode.FULL_DUPLEX_STREAMED;
  }

  private async body(phase: Phase, message: HttpBody): Promise<ProcessingResponse[]> {
    const state = this.phases[phase];
    const end = message.endOfStream;
    // Ended (blocked, or refused): later chunks are dropped. Full duplex already sent its end.
    if (state.done) return this.duplex(phase) ? [] : [bodyAnswer(phase, { kind: 'replace', body: '' })];
    if (state.passthrough) {
      return [bodyAnswer(phase, this.duplex(phase) ? { kind: 'duplex', body: decoder.decode(message.body), end } : { kind: 'unchanged' })];
    }
    if (phase === 'response' && (state.kind === 'sse' || (state.kind === 'text' && state.mode !== BodyMode.BUFFERED))) {
      return [await this.streamedChunk(message)];
    }
    // BUFFERED_PARTIAL without end of stream: this is all Envoy will send of the body.
    const truncated = state.mode === BodyMode.BUFFERED_PARTIAL && !end;
    state.body.add(message.body);
    if (!end && !truncated) {
      if (this.duplex(phase)) return [];
      state.body.held++;
      return [bodyAnswer(phase, { kind: 'replace', body: '' })];
    }
    return [await this.wholeBody(phase, truncated)];
  }

  private async flushAtTrailers(phase: Phase): Promise<ProcessingResponse[]> {
    const state = this.phases[phase];
    // Full duplex sends the last body chunk without end of stream when trailers follow.
    if (!this.duplex(phase) || state.done || state.passthrough) return [];
    if (state.rewriter) return [await this.streamedChunk({ body: new Uint8Array(), endOfStream: true } as HttpBody)];
    if (state.body.byteLength > 0) return [await this.wholeBody(phase, false)];
    return [];
  }

  /** The original bytes go on (only needed when earlier chunks were held back). */
  private unchanged(phase: Phase, original: Uint8Array, headers?: HeaderChanges, metadata?: JsonObject): ProcessingResponse {
    const state = this.phases[phase];
    if (state.body.held === 0 && !this.duplex(phase)) return bodyAnswer(phase, { kind: 'unchanged' }, headers, metadata);
    return bodyAnswer(phase, this.edit(phase, original, true), headers, metadata);
  }

  private async wholeBody(phase: Phase, truncated: boolean): Promise<ProcessingResponse> {
    const state = this.phases[phase];
    state.done = true;
    const direction: DirectionName = phase === 'request' ? 'INPUT' : 'OUTPUT';
    // Past maxBodyBytes the held-back chunks were not kept: nothing can be released.
    if (state.body.overLimit) return this.refuse(phase, { reason: 'unscannable', threatTypes: [], scanId: randomUUID() });
    const original = state.body.bytes();
    const text = bodyText(original);
    if (text === undefined) return this.unchanged(phase, original); // binary: not scannable as text
    const partial = truncated;
    if (partial && this.refusesUnscannable()) return this.refuse(phase, { reason: 'unscannable', threatTypes: [], scanId: randomUUID() });

    const texts: BodyTexts = phase === 'request' ? requestBodyTexts(this.api, state.kind, text) : responseBodyTexts(this.api, state.kind, text);
    if (phase === 'request') {
      this.systemPrompt = texts.systemPrompt;
      this.inputText = texts.segments.map((s) => s.text).join('\n');
    }
    let outcome: ScanOutcome;
    try {
      outcome = await scanSegments(
        this.deps.scan.pool,
        {
          tenantId: this.tenantId,
          policyId: this.policyId,
          direction,
          texts: texts.segments.map((s) => s.text),
          deadline: this.ctx.deadline,
          signal: this.ctx.signal,
          trace: this.ctx.trace,
          ...(phase === 'response' ? { guard: outputGuardFields(this.systemPrompt, this.inputText) } : {}),
          ...(this.deps.scan.scanRecords ? { record: { sink: this.deps.scan.scanRecords, requestId: this.requestId } } : {}),
        },
        this.deps.scan.maxContentBytes,
      );
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      if (this.refusesUnscannable()) return this.refuse(phase, { reason: 'unscannable', threatTypes: [], scanId: randomUUID() });
      return this.unchanged(phase, original);
    }
    outcome.partial = partial;
    if (phase === 'request') this.requestOutcome = outcome;
    const metadata = this.metadata(phase, outcome);
    if (outcome.action === 'BLOCK') return this.refuse(phase, { reason: 'blocked', threatTypes: outcome.threatTypes, scanId: outcome.scanId }, metadata);

    const headers: HeaderChanges = { set: [[SCAN_ID_HEADER, outcome.scanId], [ACTION_HEADER, outcome.action]] };
    if (partial) headers.set!.push([PARTIAL_HEADER, 'true']);
    if (outcome.action !== 'REDACT' || !outcome.redactedSegments) return this.unchanged(phase, original, headers, metadata);
    const segments = texts.segments;
    const redacted = outcome.redactedSegments;
    const newBody = texts.layout === 'whole'
      ? redacted[0] ?? ''
      : editJsonValues(text, segments.flatMap((s, i) => (redacted[i] !== undefined && redacted[i] !== s.text ? [{ path: s.path, value: redacted[i]! }] : [])));
    // Header mutations in a body answer apply in BUFFERED mode, where Envoy still holds the
    // headers and the declared length must match the new body.
    headers.set!.push(['content-length', String(Buffer.byteLength(newBody, 'utf8'))]);
    return bodyAnswer(phase, this.edit(phase, newBody, true), headers, metadata);
  }

  /**
   * Refuses: a local reply while nothing has gone downstream; in the response phase of a
   * streamed body (headers already sent) the body is replaced by the error JSON instead.
   */
  private refuse(phase: Phase, info: BlockInfo, metadata?: JsonObject): ProcessingResponse {
    const state = this.phases[phase];
    state.done = true;
    const status = info.reason === 'unscannable' ? StatusCode.PayloadTooLarge : StatusCode.Forbidden;
    const headersSent = phase === 'response' && state.mode !== undefined && state.mode !== BodyMode.BUFFERED && state.mode !== BodyMode.BUFFERED_PARTIAL;
    if (headersSent) return bodyAnswer(phase, this.edit(phase, blockedJson(info, this.api), true), undefined, metadata);
    return immediateAnswer(status, blockedJson(info, this.api), `bulwark_${info.reason}`, [[SCAN_ID_HEADER, info.scanId]], metadata);
  }

  private async streamedChunk(message: HttpBody): Promise<ProcessingResponse> {
    const state = this.phases.response;
    if (!state.rewriter) {
      this.windows ??= new WindowStreams(this.deps.scan, this.ctx, {
        tenantId: this.tenantId,
        policyId: this.policyId,
        requestId: this.requestId,
        direction: 'OUTPUT',
        ...outputGuardFields(this.systemPrompt, this.inputText),
      });
      state.rewriter = state.kind === 'sse' ? new SseRewriter(this.windows, this.api) : new TextStreamRewriter(this.windows);
    }
    const out = await state.rewriter.chunk(message.body, message.endOfStream);
    const verdict = state.rewriter.result;
    if (verdict.blocked) state.done = true;
    const final = message.endOfStream || Boolean(verdict.blocked);
    const metadata = final ? this.metadata('response', verdictOutcome(verdict)) : undefined;
    if (!this.duplex('response') && out === decoder.decode(message.body) && !verdict.blocked) {
      return bodyAnswer('response', { kind: 'unchanged' }, undefined, metadata);
    }
    return bodyAnswer('response', this.edit('response', out, final), undefined, metadata);
  }

  private metadata(phase: Phase, outcome: ScanOutcome): JsonObject {
    return { [METADATA_NAMESPACE]: { [phase]: outcomeMetadata(outcome) } };
  }
}

function verdictOutcome(v: StreamVerdict): ScanOutcome {
  return { action: v.action, threatTypes: v.threatTypes, scanId: v.scanId, policyVersion: v.policyVersion, partial: false, skipped: v.scanId === '' };
}
