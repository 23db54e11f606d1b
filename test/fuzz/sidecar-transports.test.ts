/**
 * Arbitrary bytes and JSON sent to a real sidecar over Connect (HTTP/1.1, JSON and binary) and
 * gRPC (unary Scan with raw bytes, StreamScan with random chunk sequences). Every answer must be
 * a well-formed result or a clean refusal (INVALID_ARGUMENT / NOT_FOUND, HTTP 4xx): never
 * INTERNAL or UNKNOWN, never a hang, and the sidecar keeps serving ordinary scans afterwards.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanRequestSchema, type ScanResponse, type StreamScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { codePointLength } from '../../src/sidecar/code-points.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { chunk, scanClient, type ScanClient, type StreamChunkInit } from '../helpers/scan-client.js';
import { startTestSidecar } from '../sidecar/sidecar-fixture.js';
import { hostileJson, hostileText } from './arbitraries.js';
import { connectPost } from './connect-post.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

const MAX_CONTENT_BYTES = 4096;
/** Caller-side refusals a hostile request may earn; anything else is a server fault. */
const CLEAN_CONNECT_CODES = new Set(['invalid_argument', 'not_found']);
const CLEAN_GRPC_CODES = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND]);
const ACTIONS = new Set(['ACTION_ALLOW', 'ACTION_WARN', 'ACTION_REDACT', 'ACTION_BLOCK']);

const scanRequestFields = fc.record(
  {
    content: fc.oneof(hostileText, fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
    direction: fc.oneof(fc.constantFrom('DIRECTION_INPUT', 'DIRECTION_OUTPUT', 'DIRECTION_UNSPECIFIED', 'INPUT', ''), fc.integer({ min: -3, max: 5 })),
    tenantId: fc.oneof(fc.constant(''), fc.constant('default'), hostileText),
    policyId: fc.oneof(fc.constant(''), fc.constant('default'), fc.string({ maxLength: 8 })),
    requestId: hostileText,
    systemPrompt: hostileText,
    inputContent: hostileText,
    context: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer())),
    [`unknown_${'x'}`]: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

/** A Connect JSON body: mostly request-shaped objects, sometimes any JSON, sometimes not JSON. */
const connectJsonBody = fc.oneof(
  { weight: 4, arbitrary: scanRequestFields.map((r) => JSON.stringify(r)) },
  { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom('{"content":"\\ud800"}', '{"content":"a\\udc00b\\ud83d"}', '{"content": ', '{"content":"\u0000"}', '', '[]', '"x"', '{"content":"x","content":"y"}') },
);

function expectWellFormedScan(json: Record<string, unknown>, content: unknown): void {
  expect(typeof json.scanId).toBe('string');
  expect(ACTIONS.has(json.action as string)).toBe(true);
  expect(json.allowed).toBe(json.action !== 'ACTION_BLOCK');
  const limit = typeof content === 'string' ? codePointLength(content) : Number.POSITIVE_INFINITY;
  for (const threat of json.threats as Array<{ spans: Array<{ start: number; end: number }> }>) {
    for (const span of threat.spans) {
      expect(span.start).toBeGreaterThanOrEqual(0);
      expect(span.end).toBeGreaterThanOrEqual(span.start);
      expect(span.end).toBeLessThanOrEqual(limit);
    }
  }
}

function expectCleanConnectError(status: number, json: Record<string, unknown>): void {
  expect(status, JSON.stringify(json)).toBeGreaterThanOrEqual(400);
  expect(status, JSON.stringify(json)).toBeLessThan(500);
  expect(CLEAN_CONNECT_CODES.has(json.code as string), JSON.stringify(json)).toBe(true);
}

/** A gRPC unary result: the response, or the status of the refusal. */
async function grpcOutcome(promise: Promise<ScanResponse>): Promise<{ response?: ScanResponse; code?: grpc.status; details?: string }> {
  try {
    return { response: await promise };
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
}

function streamOutcome(client: ScanClient, chunks: StreamChunkInit[]): Promise<{ responses: StreamScanResponse[]; status: grpc.StatusObject }> {
  const call = client.streamScan({ deadlineMs: 20_000 });
  const responses: StreamScanResponse[] = [];
  return new Promise((resolve) => {
    call.on('data', (r: StreamScanResponse) => responses.push(r));
    call.on('error', () => undefined); // the status event carries the outcome
    call.on('status', (status: grpc.StatusObject) => resolve({ responses, status }));
    for (const c of chunks) call.write(chunk(c));
    call.end();
  });
}

describe('fuzzing the sidecar transports', () => {
  let sidecar: RunningSidecar;
  let client: ScanClient;

  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 1, maxContentBytes: MAX_CONTENT_BYTES });
    client = scanClient(sidecar.address);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.close(1000);
  });

  async function stillServes(): Promise<void> {
    const ok = await client.scan({ content: 'mail jane.doe@example.com please' });
    expect(ok.action).toBeGreaterThan(0);
    const viaConnect = await connectPost(sidecar.address, '/bulwark.v1.SecurityScanService/Scan', '{"content":"hello"}', 'application/json');
    expect(viaConnect.json).toMatchObject({ allowed: true, action: 'ACTION_ALLOW' });
  }

  it('regression: undecodable Connect binary is 400 invalid_argument (connect-es said 500 internal); gRPC-web is not served', async () => {
    const truncated = await connectPost(sidecar.address, '/bulwark.v1.SecurityScanService/Scan', Uint8Array.from([50]), 'application/proto');
    expect(truncated).toEqual({ status: 400, json: { code: 'invalid_argument', message: 'request is not a valid bulwark.v1.ScanRequest' } });
    const badUtf8 = await connectPost(sidecar.address, '/bulwark.v1.SecurityScanService/Scan', Uint8Array.from([0x1a, 1, 0xff]), 'application/proto');
    expect(badUtf8.status).toBe(400);
    expect(badUtf8.json.message).toMatch(/invalid UTF-8/);
    const action = await connectPost(sidecar.address, '/bulwark.v1.AgentActionService/CheckAction', Uint8Array.from([0x0a, 5]), 'application/proto');
    expect(action.json.code).toBe('invalid_argument');
    const grpcWeb = await fetch(`http://${sidecar.address}/bulwark.v1.SecurityScanService/Scan`, { method: 'POST', headers: { 'content-type': 'application/grpc-web+proto' }, body: Uint8Array.from([0, 0, 0, 0, 1, 50]) });
    expect(grpcWeb.status).toBe(415);
    await grpcWeb.arrayBuffer();
  });

  it('Connect JSON Scan: any body is a result or a clean 4xx', { timeout: fuzzTimeout(60_000) }, async () => {
    await fc.assert(
      fc.asyncProperty(connectJsonBody, async (body) => {
        const { status, json } = await connectPost(sidecar.address, '/bulwark.v1.SecurityScanService/Scan', body, 'application/json');
        if (status === 200) {
          const parsed = JSON.parse(body) as { content?: unknown };
          expectWellFormedScan(json, parsed.content);
        } else {
          expectCleanConnectError(status, json);
        }
      }),
      fuzzParams(150),
    );
    await stillServes();
  });

  it('Connect JSON CheckAction, Feedback and CreateCanary: any body is a result or a clean 4xx', { timeout: fuzzTimeout(60_000) }, async () => {
    const methods = ['/bulwark.v1.AgentActionService/CheckAction', '/bulwark.v1.SecurityScanService/Feedback', '/bulwark.v1.SecurityScanService/CreateCanary'];
    const actionFields = fc.record(
      {
        tenantId: fc.oneof(fc.constant(''), hostileText),
        agentId: hostileText,
        actionType: fc.oneof(fc.constantFrom('ACTION_TYPE_HTTP_REQUEST', 'ACTION_TYPE_TOOL_CALL', 'ACTION_TYPE_SHELL', 'NOPE'), fc.integer({ min: -1, max: 20 })),
        target: fc.oneof(hostileText, fc.webUrl(), fc.constantFrom('http://169.254.169.254/', 'rm -rf /', '//evil.example')),
        parameters: fc.dictionary(fc.constantFrom('url', 'command', 'path', 'query', 'body'), hostileJson, { maxKeys: 3 }),
        declaredGoal: hostileText,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(actionFields.map((v) => JSON.stringify(v)), hostileJson.map((v) => JSON.stringify(v) ?? 'null'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), body, async (method, text) => {
        const { status, json } = await connectPost(sidecar.address, method, text, 'application/json');
        // CreateCanary without BULWARK_CANARY_KEY is a clean FAILED_PRECONDITION.
        if (status !== 200 && json.code === 'failed_precondition' && method.endsWith('CreateCanary')) return;
        if (status !== 200) expectCleanConnectError(status, json);
      }),
      fuzzParams(100),
    );
    await stillServes();
  });

  it('Connect binary (application/proto) Scan: arbitrary and mutated bytes are a result or a clean 4xx', { timeout: fuzzTimeout(60_000) }, async () => {
    const valid = scanRequestFields.map((r) =>
      toBinary(ScanRequestSchema, create(ScanRequestSchema, { content: typeof r.content === 'string' ? r.content : '', tenantId: typeof r.tenantId === 'string' ? r.tenantId : '', requestId: typeof r.requestId === 'string' ? r.requestId : '' })),
    );
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat()).map(([bytes, flips, cut]) => {
      const out = Uint8Array.from(bytes);
      for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
      return out.subarray(0, out.length === 0 ? 0 : Math.max(1, cut % (out.length + 1)));
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), valid, mutated), async (bytes) => {
        const { status, json } = await connectPost(sidecar.address, '/bulwark.v1.SecurityScanService/Scan', bytes, 'application/proto');
        if (status !== 200) expectCleanConnectError(status, json);
      }),
      fuzzParams(150),
    );
    await stillServes();
  });

  it('gRPC unary Scan: arbitrary and mutated message bytes are a result or INVALID_ARGUMENT / NOT_FOUND', { timeout: fuzzTimeout(60_000) }, async () => {
    const encoded = fc
      .record({ content: hostileText, tenantId: hostileText, policyId: fc.constantFrom('', 'default', 'nope'), direction: fc.integer({ min: 0, max: 4 }), systemPrompt: hostileText })
      .map((r) => toBinary(ScanRequestSchema, create(ScanRequestSchema, r)));
    const mutated = fc.tuple(encoded, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([bytes, flips]) => {
      const out = Uint8Array.from(bytes);
      for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
      return out;
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), encoded, mutated), async (bytes) => {
        const outcome = await grpcOutcome(client.scanBytes(bytes));
        if (outcome.response) expect(outcome.response.scanId).toMatch(/^[0-9a-f-]{36}$/);
        else expect(CLEAN_GRPC_CODES.has(outcome.code!), `${outcome.code} ${outcome.details}`).toBe(true);
      }),
      fuzzParams(150),
    );
    await stillServes();
  });

  it('gRPC StreamScan: random chunk sequences end OK, every response well-formed, refusals per stream', { timeout: fuzzTimeout(60_000) }, async () => {
    const streamChunk = fc.record({
      streamId: fc.constantFrom('', 'a', 'b', '\ud800'),
      content: hostileText,
      endOfStream: fc.boolean(),
      direction: fc.integer({ min: 0, max: 3 }),
      tenantId: fc.constantFrom('', 'default', 'other'),
      policyId: fc.constantFrom('', 'default', 'missing'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(streamChunk, { maxLength: 8 }), async (chunks) => {
        const { responses, status } = await streamOutcome(client, chunks);
        expect(status.code, status.details).toBe(grpc.status.OK);
        for (const r of responses) {
          if (r.error) expect(CLEAN_GRPC_CODES.has(r.error.code) || r.error.code === grpc.status.FAILED_PRECONDITION, `${r.error.code} ${r.error.message}`).toBe(true);
          for (const t of r.threats) for (const s of t.spans) expect(s.end).toBeGreaterThanOrEqual(s.start);
        }
      }),
      fuzzParams(60),
    );
    await stillServes();
  });
});
