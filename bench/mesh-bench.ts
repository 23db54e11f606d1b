/**
 * Mesh integration latency: what Envoy's ext_authz and ext_proc calls to the sidecar cost per
 * request, next to the plain Scan RPC of the same text. The sidecar runs in its own process
 * (`bulwark sidecar`, Envoy services on the same port); this process plays Envoy with grpc-js
 * and sends requests one at a time, so the figures are per-request latency, not throughput.
 *
 *   Scan            unary Scan of the chat request's user text (~2 KB)
 *   ext_authz       Check with the ~2 KB chat JSON body (with_request_body)
 *   ext_proc req    one stream: request_headers → answer, request_body (BUFFERED) → answer, close
 *   StreamScan      200 deltas of a streamed answer through one logical stream (baseline)
 *   ext_proc SSE    one stream: response_headers → answer, then 200 SSE events as separate
 *                   STREAMED chunks + end of stream; pipelined (all sent at once: total per
 *                   answer) and paced (next event after the previous answer: the delay one
 *                   event sees, the usual case when the model is slower than the scan)
 *
 * Usage: node dist/bench/mesh-bench.js [--iterations N] [--stream-iterations N] [--workers N]
 *        [--cli bin/bulwark.js] [--json]   (or `npx tsx bench/mesh-bench.ts` with a built dist/)
 */
import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { parseArgs } from 'node:util';
import { ScanRequestSchema, SecurityScanService, StreamScanRequestSchema, type StreamScanResponse } from '../gen/bulwark/v1/scan_service_pb.js';
import { Direction } from '../gen/bulwark/v1/threat_pb.js';
import { ProcessingMode_BodySendMode as BodyMode } from '../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import { Authorization, CheckRequestSchema } from '../gen/envoy/service/auth/v3/external_auth_pb.js';
import { ExternalProcessor, ProcessingRequestSchema, type ProcessingResponse } from '../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { grpcServiceDefinition } from '../src/sidecar/grpc-service-definition.js';
import { benchContent } from './bench-content.js';
import { summarize, type LatencySummary } from './latency-stats.js';
import { startServerProcess } from './server-process.js';

const { values: flags } = parseArgs({
  options: {
    iterations: { type: 'string', default: '500' },
    'stream-iterations': { type: 'string', default: '40' },
    workers: { type: 'string', default: '2' },
    cli: { type: 'string', default: new URL('../bin/bulwark.js', import.meta.url).pathname.replace('/dist/bin/', '/bin/') },
    json: { type: 'boolean', default: false },
  },
});
const ITERATIONS = Number(flags.iterations);
const STREAM_ITERATIONS = Number(flags['stream-iterations']);
const SSE_EVENTS = 200;
const WARMUP = 50;
const enc = new TextEncoder();

type Unary = (method: string, request: unknown) => Promise<unknown>;

function client(address: string, service: Parameters<typeof grpcServiceDefinition>[0]): grpc.Client & Record<string, (...args: unknown[]) => unknown> {
  const Ctor = grpc.makeGenericClientConstructor(grpcServiceDefinition(service), service.name);
  return new Ctor(address, grpc.credentials.createInsecure()) as never;
}

function unary(c: grpc.Client & Record<string, (...args: unknown[]) => unknown>): Unary {
  return (method, request) =>
    new Promise((resolve, reject) => {
      c[method]!(request, new grpc.Metadata(), {}, (err: Error | null, value: unknown) => (err ? reject(err) : resolve(value)));
    });
}

function msg<D extends DescMessage>(schema: D, init: MessageInitShape<D>): MessageShape<D> {
  return create(schema, init);
}

/** A duplex call read in order: `next()` resolves with the next answer. */
function duplex<Res>(call: grpc.ClientDuplexStream<unknown, Res>): { next(): Promise<Res>; done: Promise<void> } {
  const queue: Res[] = [];
  const waiters: Array<(r: Res) => void> = [];
  call.on('data', (r: Res) => {
    const w = waiters.shift();
    if (w) w(r);
    else queue.push(r);
  });
  const done = new Promise<void>((resolve, reject) => {
    call.on('status', (s: grpc.StatusObject) => (s.code === 0 ? resolve() : reject(new Error(s.details))));
    call.on('error', () => undefined);
  });
  return { next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))), done };
}

async function measure(label: string, count: number, once: () => Promise<void>): Promise<[string, LatencySummary]> {
  for (let i = 0; i < Math.min(WARMUP, count); i++) await once();
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  return [label, summarize(samples, 0, performance.now() - started)];
}

async function main(): Promise<void> {
  const server = await startServerProcess(flags.cli!, ['--workers', flags.workers!], []);
  try {
    const address = server.address;
    const scan = unary(client(address, SecurityScanService));
    const authz = unary(client(address, Authorization));
    const proc = client(address, ExternalProcessor);
    const streamer = client(address, SecurityScanService);

    // The ~2 KB chat request: a system prompt and a user message of benchmark prose (with a little PII).
    const userText = benchContent(1800);
    const chatBody = JSON.stringify({ model: 'bench-1', messages: [{ role: 'system', content: 'You are a helpful assistant for an operations team.' }, { role: 'user', content: userText }] });
    const headers = { ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json', 'x-tenant-id': 'default' };
    const headerMap = (h: Record<string, string>) => ({ headers: Object.entries(h).map(([key, v]) => ({ key, rawValue: enc.encode(v) })) });

    // 200 deltas of a streamed answer (~24 characters each), as OpenAI chunks.
    const answer = benchContent(SSE_EVENTS * 24, 7);
    const deltas = Array.from({ length: SSE_EVENTS }, (_, i) => answer.slice(i * 24, (i + 1) * 24));
    const sseChunks = deltas.map((d) => enc.encode(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: d }, finish_reason: null }] })}\n\n`));

    const results: Array<[string, LatencySummary]> = [];
    results.push(await measure('Scan (2 KB user text)', ITERATIONS, async () => {
      await scan('Scan', msg(ScanRequestSchema, { content: userText, direction: Direction.INPUT }));
    }));
    results.push(await measure('ext_authz Check (2 KB chat JSON)', ITERATIONS, async () => {
      await authz('Check', msg(CheckRequestSchema, { attributes: { request: { http: { method: 'POST', path: '/v1/chat/completions', headers, body: chatBody } } } }));
    }));
    results.push(await measure('ext_proc request (headers + BUFFERED body)', ITERATIONS, async () => {
      const call = (proc.Process as (m: grpc.Metadata) => grpc.ClientDuplexStream<unknown, ProcessingResponse>)(new grpc.Metadata());
      const s = duplex(call);
      call.write(msg(ProcessingRequestSchema, { request: { case: 'requestHeaders', value: { headers: headerMap(headers) } }, protocolConfig: { requestBodyMode: BodyMode.BUFFERED, responseBodyMode: BodyMode.STREAMED } }));
      await s.next();
      call.write(msg(ProcessingRequestSchema, { request: { case: 'requestBody', value: { body: enc.encode(chatBody), endOfStream: true } } }));
      await s.next();
      call.end();
      await s.done;
    }));

    // Pipelined: every chunk sent at once (an upstream faster than the scan): total per stream.
    results.push(await measure(`StreamScan (${SSE_EVENTS} deltas, one stream, pipelined)`, STREAM_ITERATIONS, async () => {
      const call = (streamer.StreamScan as (m: grpc.Metadata) => grpc.ClientDuplexStream<unknown, StreamScanResponse>)(new grpc.Metadata());
      const s = duplex(call);
      const answers: Promise<StreamScanResponse>[] = [];
      deltas.forEach((d, i) => {
        call.write(msg(StreamScanRequestSchema, { streamId: 'a', direction: Direction.OUTPUT, content: d, endOfStream: i === deltas.length - 1 }));
        answers.push(s.next());
      });
      await Promise.all(answers);
      call.end();
      await s.done;
    }));
    const sseStream = async (paced: number[] | undefined): Promise<void> => {
      const call = (proc.Process as (m: grpc.Metadata) => grpc.ClientDuplexStream<unknown, ProcessingResponse>)(new grpc.Metadata());
      const s = duplex(call);
      call.write(msg(ProcessingRequestSchema, { request: { case: 'requestHeaders', value: { headers: headerMap(headers), endOfStream: true } }, protocolConfig: { requestBodyMode: BodyMode.NONE, responseBodyMode: BodyMode.STREAMED } }));
      await s.next();
      call.write(msg(ProcessingRequestSchema, { request: { case: 'responseHeaders', value: { headers: headerMap({ ':status': '200', 'content-type': 'text/event-stream' }) } } }));
      await s.next();
      const answered: Promise<unknown>[] = [];
      for (const chunk of [...sseChunks, enc.encode('data: [DONE]\n\n')]) {
        const sent = performance.now();
        call.write(msg(ProcessingRequestSchema, { request: { case: 'responseBody', value: { body: chunk } } }));
        if (paced) {
          // Paced: the next event arrives after this one was answered (an upstream slower
          // than the scan, the usual case): the time is what one event is delayed by.
          await s.next();
          paced.push(performance.now() - sent);
        } else answered.push(s.next());
      }
      call.write(msg(ProcessingRequestSchema, { request: { case: 'responseBody', value: { body: new Uint8Array(), endOfStream: true } } }));
      answered.push(s.next());
      await Promise.all(answered);
      call.end();
      await s.done;
    };
    results.push(await measure(`ext_proc SSE (${SSE_EVENTS} events, STREAMED, pipelined)`, STREAM_ITERATIONS, () => sseStream(undefined)));
    const pacedStream: number[] = [];
    const pacedSse: number[] = [];
    for (let i = 0; i < STREAM_ITERATIONS; i++) {
      const call = (streamer.StreamScan as (m: grpc.Metadata) => grpc.ClientDuplexStream<unknown, StreamScanResponse>)(new grpc.Metadata());
      const s = duplex(call);
      for (const [j, d] of deltas.entries()) {
        const sent = performance.now();
        call.write(msg(StreamScanRequestSchema, { streamId: 'a', direction: Direction.OUTPUT, content: d, endOfStream: j === deltas.length - 1 }));
        await s.next();
        pacedStream.push(performance.now() - sent);
      }
      call.end();
      await s.done;
      await sseStream(pacedSse);
    }
    results.push(['StreamScan: one delta, paced (sent → answered)', summarize(pacedStream, 0, 0)]);
    results.push(['ext_proc SSE: one event chunk, paced (sent → answered)', summarize(pacedSse, 0, 0)]);

    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ workers: Number(flags.workers), results: Object.fromEntries(results) }, null, 2)}\n`);
    } else {
      const f = (n: number) => n.toFixed(2);
      const lines = ['| call | p50 ms | p99 ms | mean ms | n |', '|---|---:|---:|---:|---:|'];
      for (const [label, s] of results) lines.push(`| ${label} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.mean)} | ${s.count} |`);
      process.stdout.write(`Mesh integration latency (sidecar in its own process, ${flags.workers} workers, one request at a time)\n\n${lines.join('\n')}\n`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
