/**
 * Plays Envoy in front of an upstream, with the ext_authz filter before the ext_proc filter
 * (the order of examples/envoy/envoy.yaml), sending the sidecar the message sequences Envoy
 * sends and applying its answers the way Envoy applies them:
 *
 * 1. ext_authz Check with the request's headers and body (with_request_body); a denial is
 *    the client's answer; headers of an OK answer are set on the request.
 * 2. ext_proc stream: request_headers (+ protocol_config, first message only) → header
 *    mutation; request_body (BUFFERED: the whole body, end_of_stream) → body/header mutation or
 *    an immediate response.
 * 3. The (mutated) request goes upstream; response_headers (with :status) → header mutation.
 * 4. STREAMED response body: every chunk read from the upstream socket is sent at once
 *    (pipelined, as Envoy does), then an empty end_of_stream chunk; the answers arrive in
 *    order and each replaces (or clears, or keeps) its chunk for the client. BUFFERED: the
 *    whole body in one message.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ProcessingResponse, CommonResponse, HeaderMutation } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { ProcessingMode_BodySendMode as BodyMode } from '../../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import type { CheckResponse } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import type { EnvoyClients } from './envoy-clients.js';

export interface ClientRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface ClientView {
  status: number;
  headers: Record<string, string>;
  /** Body pieces in the order the client received them. */
  chunks: string[];
  body: string;
  /** Which filter answered locally, if any. */
  localReplyBy?: 'ext_authz' | 'ext_proc';
  authz?: CheckResponse;
  extProcAnswers: ProcessingResponse[];
  /** The stream was reset after headers went out (an immediate response mid-body). */
  reset: boolean;
}

export interface EmulatorOptions {
  upstreamPort: number;
  responseBodyMode?: BodyMode;
  /** Skip the ext_authz filter. */
  withoutAuthz?: boolean;
}

const utf8 = new TextDecoder();
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

function applyHeaderMutation(headers: Record<string, string>, mutation: HeaderMutation | undefined): void {
  for (const key of mutation?.removeHeaders ?? []) delete headers[key.toLowerCase()];
  for (const option of mutation?.setHeaders ?? []) {
    const h = option.header!;
    headers[h.key.toLowerCase()] = h.rawValue.length > 0 ? utf8.decode(h.rawValue) : h.value;
  }
}

/** What a body answer does to the chunk it answers. */
function applyBody(common: CommonResponse | undefined, chunk: string): string {
  const m = common?.bodyMutation?.mutation;
  if (!m || m.case === undefined) return chunk;
  if (m.case === 'body') return utf8.decode(m.value);
  if (m.case === 'clearBody') return '';
  return utf8.decode(m.value.body);
}

function immediate(answer: ProcessingResponse): ClientView | undefined {
  if (answer.response.case !== 'immediateResponse') return undefined;
  const r = answer.response.value;
  const headers: Record<string, string> = {};
  applyHeaderMutation(headers, r.headers);
  const body = utf8.decode(r.body);
  return { status: r.status?.code ?? 200, headers, chunks: [body], body, localReplyBy: 'ext_proc', extProcAnswers: [answer], reset: false };
}

export async function throughEnvoy(clients: EnvoyClients, request: ClientRequest, options: EmulatorOptions): Promise<ClientView> {
  const headers: Record<string, string> = {
    ':method': request.method,
    ':path': request.path,
    ':authority': 'api.openai.example',
    ':scheme': 'http',
    'x-request-id': `req-${Math.random().toString(16).slice(2)}`,
    'content-length': String(Buffer.byteLength(request.body)),
    ...Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  let authz: CheckResponse | undefined;
  if (!options.withoutAuthz) {
    authz = await clients.check({
      attributes: {
        request: {
          http: {
            id: headers['x-request-id'],
            method: request.method,
            path: request.path,
            host: headers[':authority'],
            scheme: 'http',
            protocol: 'HTTP/1.1',
            headers,
            size: BigInt(Buffer.byteLength(request.body)),
            body: request.body,
          },
        },
      },
    });
    if (authz.httpResponse.case === 'deniedResponse') {
      const denied = authz.httpResponse.value;
      const replyHeaders: Record<string, string> = {};
      for (const o of denied.headers) replyHeaders[o.header!.key] = o.header!.value;
      return { status: denied.status?.code || 403, headers: replyHeaders, chunks: [denied.body], body: denied.body, localReplyBy: 'ext_authz', authz, extProcAnswers: [], reset: false };
    }
    if (authz.httpResponse.case === 'okResponse') {
      for (const o of authz.httpResponse.value.headers) headers[o.header!.key.toLowerCase()] = o.header!.value;
    }
  }

  const responseMode = options.responseBodyMode ?? BodyMode.STREAMED;
  const stream = clients.process();
  const answers: ProcessingResponse[] = [];
  const next = async (): Promise<ProcessingResponse> => {
    const a = await stream.next();
    answers.push(a);
    return a;
  };
  const asHeaderMap = (h: Record<string, string>) => ({ headers: Object.entries(h).map(([key, v]) => ({ key, rawValue: encode(v) })) });

  // Request headers (first message carries the protocol configuration).
  stream.send({
    request: { case: 'requestHeaders', value: { headers: asHeaderMap(headers), endOfStream: request.body === '' } },
    protocolConfig: { requestBodyMode: BodyMode.BUFFERED, responseBodyMode: responseMode },
  });
  let answer = await next();
  const early = immediate(answer);
  if (early) return { ...early, authz, extProcAnswers: answers };
  if (answer.response.case === 'requestHeaders') applyHeaderMutation(headers, answer.response.value.response?.headerMutation);

  let body = request.body;
  if (body !== '') {
    stream.send({ request: { case: 'requestBody', value: { body: encode(body), endOfStream: true } } });
    answer = await next();
    const blocked = immediate(answer);
    if (blocked) {
      await stream.end();
      return { ...blocked, authz, extProcAnswers: answers };
    }
    if (answer.response.case === 'requestBody') {
      body = applyBody(answer.response.value.response, body);
      applyHeaderMutation(headers, answer.response.value.response?.headerMutation);
    }
  }

  // Upstream.
  const upstreamHeaders = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':')));
  upstreamHeaders['content-length'] = String(Buffer.byteLength(body));
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: options.upstreamPort, method: request.method, path: headers[':path'], headers: upstreamHeaders }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  const responseHeaders: Record<string, string> = { ':status': String(upstream.statusCode) };
  for (const [k, v] of Object.entries(upstream.headers)) if (typeof v === 'string') responseHeaders[k] = v;
  stream.send({ request: { case: 'responseHeaders', value: { headers: asHeaderMap(responseHeaders), endOfStream: false } } });
  answer = await next();
  const replaced = immediate(answer);
  if (replaced) {
    upstream.destroy();
    await stream.end();
    return { ...replaced, authz, extProcAnswers: answers };
  }
  if (answer.response.case === 'responseHeaders') applyHeaderMutation(responseHeaders, answer.response.value.response?.headerMutation);

  const chunks: string[] = [];
  let reset = false;
  if (responseMode === BodyMode.BUFFERED) {
    const parts: Buffer[] = [];
    for await (const part of upstream) parts.push(part as Buffer);
    const whole = Buffer.concat(parts).toString('utf8');
    stream.send({ request: { case: 'responseBody', value: { body: encode(whole), endOfStream: true } } });
    answer = await next();
    const local = immediate(answer);
    if (local) {
      await stream.end();
      return { ...local, authz, extProcAnswers: answers };
    }
    if (answer.response.case === 'responseBody') {
      chunks.push(applyBody(answer.response.value.response, whole));
      applyHeaderMutation(responseHeaders, answer.response.value.response?.headerMutation);
    }
  } else {
    // STREAMED: chunks go to the processor as they arrive; answers are applied in order.
    const sent: string[] = [];
    const applied: Promise<void>[] = [];
    const answerFor = (original: string): Promise<void> =>
      next().then((a) => {
        if (a.response.case === 'immediateResponse') {
          reset = true;
          return;
        }
        if (a.response.case === 'responseBody') chunks.push(applyBody(a.response.value.response, original));
      });
    for await (const part of upstream) {
      const text = (part as Buffer).toString('utf8');
      sent.push(text);
      stream.send({ request: { case: 'responseBody', value: { body: encode(text), endOfStream: false } } });
      applied.push(answerFor(text));
    }
    stream.send({ request: { case: 'responseBody', value: { body: new Uint8Array(), endOfStream: true } } });
    applied.push(answerFor(''));
    await Promise.all(applied);
  }
  const status = await stream.end();
  if (status.code !== 0) throw new Error(`ext_proc stream ended with ${status.code}: ${status.details}`);
  delete responseHeaders[':status'];
  return { status: upstream.statusCode ?? 0, headers: responseHeaders, chunks, body: chunks.join(''), authz, extProcAnswers: answers, reset };
}
