/**
 * Hostile LLM API bodies through ext_proc on a real sidecar: a megabyte of nested arrays next to
 * a message that needs redaction, tool results nested thousands deep, duplicate keys, and a
 * deeply nested SSE event. Each request gets its answers (redacted, valid JSON where the input
 * was) instead of the stream failing with INTERNAL, which Envoy's failure_mode_allow would have
 * turned into an unscanned pass.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingMode_BodySendMode as BodyMode } from '../../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import type { ProcessingResponse } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { envoyServices } from '../../src/envoy/envoy-services.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { envoyClients, type EnvoyClients, type ProcessingInit } from '../envoy/envoy-clients.js';
import { startTestSidecar } from '../sidecar/sidecar-fixture.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const EMAIL = 'jane.doe@example.com';
const CHUNK = 64 * 1024;

const headers = (h: Record<string, string>) => ({ headers: Object.entries(h).map(([key, v]) => ({ key, rawValue: enc(v) })) });

/** The messages Envoy sends for a STREAMED request body, cut into 64 KiB chunks. */
function streamedRequest(path: string, body: string): ProcessingInit[] {
  const bytes = enc(body);
  const messages: ProcessingInit[] = [
    {
      request: { case: 'requestHeaders', value: { headers: headers({ ':method': 'POST', ':path': path, 'content-type': 'application/json' }) } },
      protocolConfig: { requestBodyMode: BodyMode.STREAMED, responseBodyMode: BodyMode.STREAMED },
    },
  ];
  for (let at = 0; at < bytes.length; at += CHUNK) {
    messages.push({ request: { case: 'requestBody', value: { body: bytes.subarray(at, at + CHUNK), endOfStream: at + CHUNK >= bytes.length } } });
  }
  return messages;
}

/** The new body carried by a body answer ("" = cleared, undefined = unchanged). */
function newBody(answer: ProcessingResponse): string | undefined {
  const r = answer.response;
  if (r.case !== 'requestBody' && r.case !== 'responseBody') throw new Error(`not a body answer: ${r.case} ${r.case === 'immediateResponse' ? new TextDecoder().decode(r.value.body) : ''}`);
  const m = r.value.response?.bodyMutation?.mutation;
  if (m?.case === 'body') return new TextDecoder().decode(m.value);
  if (m?.case === 'streamedResponse') return new TextDecoder().decode(m.value.body);
  return m?.case === 'clearBody' ? '' : undefined;
}

describe('hostile LLM API bodies through ext_proc', () => {
  let sidecar: RunningSidecar;
  let clients: EnvoyClients;

  beforeAll(async () => {
    // A budget no loaded CI machine runs out of: these tests are about parsing, not time
    // (hostile-inputs.test.ts covers running out of budget).
    const policySet = parsePolicySet('apiVersion: bulwark.dev/v1\nkind: Policy\nspec:\n  timeBudgetMs: 30000\n', 'hostile.yaml');
    sidecar = await startTestSidecar({ workers: 2, policySet, extraServices: envoyServices() });
    clients = envoyClients(sidecar.address);
  });
  afterAll(async () => {
    clients?.close();
    await sidecar?.close(1000);
  });

  /** Sends every message, reads one answer each; returns them and the stream's final status. */
  async function run(messages: ProcessingInit[]): Promise<{ answers: ProcessingResponse[]; status: grpc.StatusObject }> {
    const stream = clients.process();
    for (const m of messages) stream.send(m);
    const answers: ProcessingResponse[] = [];
    for (let i = 0; i < messages.length; i++) answers.push(await stream.next());
    return { answers, status: await stream.end() };
  }

  it('a 1 MiB body of nested arrays beside a message with an email: redacted in place, still valid JSON', { timeout: 60_000 }, async () => {
    const depth = 500_000;
    const body = `{"model":"m","messages":[{"role":"user","content":"mail ${EMAIL}"}],"junk":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const { answers, status } = await run(streamedRequest('/v1/chat/completions', body));
    expect(status.code).toBe(grpc.status.OK);
    const last = newBody(answers.at(-1)!)!;
    expect(last).not.toContain(EMAIL);
    expect(last.length).toBeGreaterThan(2 * depth);
    expect((JSON.parse(last) as { messages: Array<{ content: string }> }).messages[0]!.content).toBe('mail <EMAIL_ADDRESS>');
  });

  it('Anthropic tool results nested 5,000 deep: the body is scanned whole and the email redacted', { timeout: 60_000 }, async () => {
    // Written out by hand: JSON.stringify itself overflows the stack on nesting this deep.
    const open = '[{"type":"tool_result","content":'.repeat(5_000);
    const content = `${open}"reply to ${EMAIL}"${'}]'.repeat(5_000)}`;
    const body = `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":${content}}]}`;
    const { answers, status } = await run(streamedRequest('/v1/messages', body));
    expect(status.code).toBe(grpc.status.OK);
    const last = newBody(answers.at(-1)!)!;
    expect(last).not.toContain(EMAIL);
    expect(last).toContain('<EMAIL_ADDRESS>');
  });

  it('a duplicate "content" key holding an email: re-serialised with the scanned (last) value redacted', { timeout: 30_000 }, async () => {
    const body = `{"messages":[{"role":"user","content":"first ${EMAIL}","content":"second ${EMAIL}"}]}`;
    const { answers, status } = await run(streamedRequest('/v1/chat/completions', body));
    expect(status.code).toBe(grpc.status.OK);
    const last = newBody(answers.at(-1)!)!;
    expect(last).not.toContain(EMAIL);
    expect(JSON.parse(last)).toEqual({ messages: [{ role: 'user', content: 'second <EMAIL_ADDRESS>' }] });
  });

  it('an SSE answer whose event nests 100k arrays next to a delta with an email: redacted, stream ends OK', { timeout: 60_000 }, async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const event = `data: {"choices":[{"index":0,"delta":{"content":"write to ${EMAIL} now"}}],"x":${deep}}\n\n`;
    const messages: ProcessingInit[] = [
      {
        request: { case: 'requestHeaders', value: { headers: headers({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' }), endOfStream: true } },
        protocolConfig: { requestBodyMode: BodyMode.NONE, responseBodyMode: BodyMode.STREAMED },
      },
      { request: { case: 'responseHeaders', value: { headers: headers({ ':status': '200', 'content-type': 'text/event-stream' }) } } },
      { request: { case: 'responseBody', value: { body: enc(event), endOfStream: false } } },
      { request: { case: 'responseBody', value: { body: enc('data: [DONE]\n\n'), endOfStream: true } } },
    ];
    const { answers, status } = await run(messages);
    expect(status.code).toBe(grpc.status.OK);
    const streamed = answers.slice(2).map((a) => newBody(a) ?? '').join('');
    expect(streamed).not.toContain(EMAIL);
    expect(streamed).toContain('[DONE]');
  });
});
