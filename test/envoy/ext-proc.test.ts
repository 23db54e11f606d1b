/**
 * ext_proc Process against a real sidecar, with the exact message sequences Envoy sends for
 * each body mode, checking the answer to every message.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingMode_BodySendMode as BodyMode } from '../../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import { ExternalProcessor, type ProcessingResponse } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { envoyServices } from '../../src/envoy/envoy-services.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { startTestSidecar } from '../sidecar/sidecar-fixture.js';
import { envoyClients, type EnvoyClients, type ProcessingInit, type ProcessStream } from './envoy-clients.js';

const POLICIES = `apiVersion: bulwark.dev/v1
kind: Policy
spec: {}
---
apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: lenient
spec:
  failMode: open
`;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function headerMap(h: Record<string, string>) {
  return { headers: Object.entries(h).map(([key, v]) => ({ key, rawValue: enc(v) })) };
}
const requestHeaders = (h: Record<string, string>, endOfStream = false, modes?: { request: BodyMode; response: BodyMode }): ProcessingInit => ({
  request: { case: 'requestHeaders', value: { headers: headerMap(h), endOfStream } },
  ...(modes ? { protocolConfig: { requestBodyMode: modes.request, responseBodyMode: modes.response } } : {}),
});
const requestBody = (body: string, endOfStream: boolean): ProcessingInit => ({ request: { case: 'requestBody', value: { body: enc(body), endOfStream } } });
const responseHeaders = (h: Record<string, string>): ProcessingInit => ({ request: { case: 'responseHeaders', value: { headers: headerMap({ ':status': '200', ...h }) } } });
const responseBody = (body: string, endOfStream: boolean): ProcessingInit => ({ request: { case: 'responseBody', value: { body: enc(body), endOfStream } } });

/** What an answer does to its chunk: the new bytes, "" for clear, undefined for unchanged. */
function bodyOf(a: ProcessingResponse): string | undefined {
  const r = a.response;
  if (r.case !== 'requestBody' && r.case !== 'responseBody') throw new Error(`not a body answer: ${r.case}`);
  const m = r.value.response?.bodyMutation?.mutation;
  if (!m || m.case === undefined) return undefined;
  if (m.case === 'body') return dec(m.value);
  if (m.case === 'clearBody') return '';
  return dec(m.value.body);
}

async function exchange(stream: ProcessStream, messages: ProcessingInit[]): Promise<ProcessingResponse[]> {
  const answers: ProcessingResponse[] = [];
  for (const m of messages) stream.send(m);
  for (let i = 0; i < messages.length; i++) answers.push(await stream.next());
  return answers;
}

const CHAT_HEADERS = { ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' };

describe('ext_proc Process', () => {
  let sidecar: RunningSidecar;
  let clients: EnvoyClients;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ policySet: parsePolicySet(POLICIES, 'test'), streamHoldBack: 16, extraServices: envoyServices() });
    clients = envoyClients(sidecar.address);
  });
  afterAll(async () => {
    clients?.close();
    await sidecar?.close(1000);
  });

  it('one answer per message, of the matching kind, in order; STREAMED request chunks are held and the last carries the whole redacted body', async () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Write to jane.doe@example.com please' }] });
    const stream = clients.process();
    const answers = await exchange(stream, [
      requestHeaders({ ...CHAT_HEADERS, 'accept-encoding': 'gzip, br' }, false, { request: BodyMode.STREAMED, response: BodyMode.STREAMED }),
      requestBody(body.slice(0, 20), false),
      requestBody(body.slice(20, 50), false),
      requestBody(body.slice(50), true),
      responseHeaders({ 'content-type': 'text/plain' }),
      responseBody('All good', false),
      responseBody(', nothing to hide here at all.', false),
      responseBody('', true),
      { request: { case: 'responseTrailers', value: { trailers: headerMap({ 'x-t': '1' }) } } },
    ]);
    expect(answers.map((a) => a.response.case)).toEqual([
      'requestHeaders', 'requestBody', 'requestBody', 'requestBody', 'responseHeaders', 'responseBody', 'responseBody', 'responseBody', 'responseTrailers',
    ]);
    const first = answers[0]!.response;
    expect(first.case === 'requestHeaders' && first.value.response?.headerMutation?.removeHeaders).toEqual(['accept-encoding']);
    expect(bodyOf(answers[1]!)).toBe('');
    expect(bodyOf(answers[2]!)).toBe('');
    expect(JSON.parse(bodyOf(answers[3]!)!)).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Write to <EMAIL_ADDRESS> please' }] });
    expect(answers[3]!.dynamicMetadata).toMatchObject({ bulwark: { request: { action: 'REDACT', threat_types: ['PII'] } } });
    const responseText = answers.slice(5, 8).map((a) => bodyOf(a)).join('');
    expect(responseText).toBe('All good, nothing to hide here at all.');
    expect(await stream.end()).toMatchObject({ code: grpc.status.OK });
  });

  it('observability mode: messages are processed but never answered; the stream ends cleanly', async () => {
    const stream = clients.process();
    stream.send({ ...requestHeaders(CHAT_HEADERS), observabilityMode: true });
    stream.send({ ...requestBody('{"messages":[]}', true), observabilityMode: true });
    const status = await stream.end();
    expect(status.code).toBe(grpc.status.OK);
    await expect(stream.next()).rejects.toThrow(/stream ended/);
  });

  it('BUFFERED_PARTIAL without end of stream is a truncated body: 413 when the policy fails closed, scanned and marked when it fails open', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }] });
    const closed = clients.process();
    const [, refused] = await exchange(closed, [
      requestHeaders(CHAT_HEADERS, false, { request: BodyMode.BUFFERED_PARTIAL, response: BodyMode.NONE }),
      requestBody(body, false),
    ]);
    expect(refused!.response.case).toBe('immediateResponse');
    if (refused!.response.case === 'immediateResponse') {
      expect(refused!.response.value.status?.code).toBe(StatusCode.PayloadTooLarge);
      expect(JSON.parse(dec(refused!.response.value.body)).error.type).toBe('bulwark_unscannable');
    }
    await closed.end();

    const open = clients.process();
    const [, passed] = await exchange(open, [
      requestHeaders({ ...CHAT_HEADERS, 'x-tenant-id': 'lenient' }, false, { request: BodyMode.BUFFERED_PARTIAL, response: BodyMode.NONE }),
      requestBody(body, false),
    ]);
    expect(passed!.response.case).toBe('requestBody');
    expect(bodyOf(passed!)).toBeUndefined();
    const set = passed!.response.case === 'requestBody' ? passed!.response.value.response?.headerMutation?.setHeaders ?? [] : [];
    expect(Object.fromEntries(set.map((h) => [h.header!.key, dec(h.header!.rawValue)]))).toMatchObject({ 'x-bulwark-action': 'ALLOW', 'x-bulwark-partial': 'true' });
    await open.end();
  });

  it('a compressed answer cannot be scanned: 502 under a fail-closed policy', async () => {
    const stream = clients.process();
    const answers = await exchange(stream, [requestHeaders(CHAT_HEADERS, true), responseHeaders({ 'content-type': 'text/event-stream', 'content-encoding': 'gzip' })]);
    const r = answers[1]!.response;
    expect(r.case).toBe('immediateResponse');
    expect(r.case === 'immediateResponse' && r.value.status?.code).toBe(StatusCode.BadGateway);
    await stream.end();
  });

  it('FULL_DUPLEX_STREAMED SSE: streamed_response chunks, end_of_stream on the last, PII redacted', async () => {
    const stream = clients.process();
    const events = ['Contact jane.d', 'oe@example.com', ' for more.'].map(
      (t) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: t }, finish_reason: null }] })}\n\n`,
    );
    const answers = await exchange(stream, [
      requestHeaders(CHAT_HEADERS, true, { request: BodyMode.NONE, response: BodyMode.FULL_DUPLEX_STREAMED }),
      responseHeaders({ 'content-type': 'text/event-stream' }),
      ...events.map((e) => responseBody(e, false)),
      responseBody('data: [DONE]\n\n', true),
    ]);
    const chunks = answers.slice(2).map((a) => {
      const m = a.response.case === 'responseBody' ? a.response.value.response?.bodyMutation?.mutation : undefined;
      expect(m?.case).toBe('streamedResponse');
      return m?.case === 'streamedResponse' ? m.value : undefined;
    });
    expect(chunks.map((c) => c?.endOfStream)).toEqual([false, false, false, true]);
    const text = chunks.map((c) => dec(c!.body)).join('');
    expect(text).not.toContain('jane');
    const content = text.split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)).choices[0].delta.content).join('');
    expect(content).toBe('Contact <EMAIL_ADDRESS> for more.');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    await stream.end();
  });

  it('Anthropic Messages SSE: a split email in text deltas is redacted; event names and framing kept', async () => {
    const stream = clients.process();
    const sse = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body = [
      sse('message_start', { type: 'message_start', message: { id: 'msg_1', role: 'assistant', content: [] } }),
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Mail bob.s' } }),
      sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'mith@corp.example.com now' } }),
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' } }),
      sse('message_stop', { type: 'message_stop' }),
    ];
    const answers = await exchange(stream, [
      requestHeaders({ ...CHAT_HEADERS, ':path': '/v1/messages' }, true, { request: BodyMode.NONE, response: BodyMode.STREAMED }),
      responseHeaders({ 'content-type': 'text/event-stream' }),
      ...body.map((b) => responseBody(b, false)),
      responseBody('', true),
    ]);
    // Unchanged chunks pass as they were sent.
    const out = answers.slice(2).map((a, i) => bodyOf(a) ?? body[i] ?? '').join('');
    expect(out).not.toMatch(/bob|smith|corp\.example/);
    const blocks = out.split('\n\n').filter((b) => b !== '');
    const text = blocks
      .filter((b) => b.startsWith('event: content_block_delta'))
      .map((b) => JSON.parse(b.split('\n')[1]!.slice(6)).delta.text)
      .join('');
    expect(text).toBe('Mail <EMAIL_ADDRESS> now');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(expect.arrayContaining(['event: message_start', 'event: content_block_stop', 'event: message_stop']));
    // The redacted tail goes out before the content_block_stop that ended its block.
    const order = blocks.map((b) => b.split('\n')[0]);
    expect(order.lastIndexOf('event: content_block_delta')).toBeLessThan(order.indexOf('event: content_block_stop'));
    await stream.end();
  });

  it('OpenAI Responses SSE: deltas redacted, and the *.done / response.completed repeats carry the redacted text', async () => {
    const stream = clients.process();
    const sse = (data: Record<string, unknown>) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
    const full = 'Your key contact is ann.lee@example.org today.';
    const body = [
      sse({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Your key contact is ann.l' }),
      sse({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'ee@example.org today.' }),
      sse({ type: 'response.output_text.done', output_index: 0, content_index: 0, text: full }),
      sse({ type: 'response.completed', response: { id: 'resp_1', output: [{ type: 'message', content: [{ type: 'output_text', text: full }] }] } }),
    ];
    const answers = await exchange(stream, [
      requestHeaders({ ...CHAT_HEADERS, ':path': '/v1/responses' }, true, { request: BodyMode.NONE, response: BodyMode.STREAMED }),
      responseHeaders({ 'content-type': 'text/event-stream' }),
      ...body.map((b) => responseBody(b, false)),
      responseBody('', true),
    ]);
    const out = answers.slice(2).map((a, i) => bodyOf(a) ?? body[i] ?? '').join('');
    expect(out).not.toMatch(/ann\.l|ee@example/);
    const redacted = 'Your key contact is <EMAIL_ADDRESS> today.';
    const datas = out.split('\n\n').filter((b) => b !== '').map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(datas.filter((d) => d.type === 'response.output_text.delta').map((d) => d.delta).join('')).toBe(redacted);
    expect(datas.find((d) => d.type === 'response.output_text.done').text).toBe(redacted);
    expect(datas.find((d) => d.type === 'response.completed').response.output[0].content[0].text).toBe(redacted);
    await stream.end();
  });

  it('a message that does not decode ends the stream with INVALID_ARGUMENT', async () => {
    const Client = grpc.makeGenericClientConstructor(grpcServiceDefinition(ExternalProcessor), 'ExternalProcessor');
    const raw = new Client(sidecar.address, grpc.credentials.createInsecure());
    const call = raw.makeBidiStreamRequest('/envoy.service.ext_proc.v3.ExternalProcessor/Process', (b: Buffer) => b, (b: Buffer) => b);
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    // request_body (field 4) with a body field (1) whose length runs past the end.
    call.write(Buffer.from([0x22, 0x03, 0x0a, 0x09, 0x61]));
    expect((await status).code).toBe(grpc.status.INVALID_ARGUMENT);
    raw.close();
  });
});
