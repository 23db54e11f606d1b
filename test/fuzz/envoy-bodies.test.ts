/**
 * Properties of the parsers that read HTTP bodies for ext_proc: the SSE parser (chunking never
 * changes the events), LLM API body walkers (never throw; every segment path points at its
 * text), the in-place JSON string editor (round trip; invalid JSON is a JsonEditError), stream
 * event plans and the body accumulator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyAccumulator } from '../../src/envoy/body-accumulator.js';
import { requestBodyTexts, responseBodyTexts } from '../../src/envoy/body-texts.js';
import { editJsonStrings, JsonEditError, type JsonPath } from '../../src/envoy/json-string-edits.js';
import type { LlmApi } from '../../src/envoy/llm-api-route.js';
import { planStreamEvent } from '../../src/envoy/llm-stream-events.js';
import { parseEvent, SseParser, withData, type SseEvent } from '../../src/envoy/sse-parser.js';
import { hostileJson, hostileText } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

const APIS: LlmApi[] = ['openai.chat', 'openai.completions', 'openai.embeddings', 'openai.responses', 'anthropic.messages'];
const api = fc.constantFrom<LlmApi | undefined>(...APIS, undefined);

/** LLM-API-shaped bodies with hostile leaves, so the walkers go deep into real shapes. */
const part = fc.oneof(
  hostileText,
  fc.record({ type: fc.constantFrom('text', 'input_text', 'output_text', 'image_url', 'refusal', 'tool_result'), text: hostileText, refusal: hostileText, content: hostileJson }, { requiredKeys: ['type'] }),
);
const message = fc.record(
  {
    role: fc.constantFrom('user', 'assistant', 'system', 'developer', 'tool', 'x'),
    type: fc.constantFrom('message', 'function_call_output', 'function_call', 'reasoning'),
    content: fc.oneof(hostileText, fc.array(part, { maxLength: 3 }), hostileJson),
    output: fc.oneof(hostileText, hostileJson),
  },
  { requiredKeys: [] },
);
const llmBody = fc.oneof(
  fc.record({ messages: fc.array(message, { maxLength: 4 }), system: fc.oneof(hostileText, fc.array(part, { maxLength: 2 })), stream: fc.boolean() }, { requiredKeys: [] }),
  fc.record({ prompt: fc.oneof(hostileText, fc.array(hostileText, { maxLength: 3 })), input: fc.oneof(hostileText, fc.array(message, { maxLength: 3 })), instructions: hostileText }, { requiredKeys: [] }),
  fc.record({
    choices: fc.array(fc.record({ index: fc.integer({ min: -2, max: 3 }), text: hostileText, message: fc.record({ content: fc.oneof(hostileText, fc.array(part)), refusal: hostileText, tool_calls: fc.array(fc.record({ function: fc.record({ arguments: hostileText }) })) }, { requiredKeys: [] }), finish_reason: fc.constantFrom(null, 'stop') }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] }),
  fc.record({ content: fc.array(fc.record({ type: fc.constantFrom('text', 'tool_use'), text: hostileText, input: hostileJson }), { maxLength: 3 }), output: fc.array(hostileJson, { maxLength: 2 }), output_text: hostileText }, { requiredKeys: [] }),
  hostileJson,
);

function at(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const step of path) node = (node as Record<string | number, unknown>)?.[step];
  return node;
}

/** Splits `bytes` at the given cut points (a UTF-8 character or a line end may be cut anywhere). */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

const sseText = fc
  .array(
    fc.oneof(
      hostileText.map((t) => `data: ${t}`),
      fc.constantFrom('data: [DONE]', 'event: message', ': comment', 'data', 'id: 1', 'retry: 10', '', '\r', 'data: {"choices":[{"delta":{"content":"hi"}}]}'),
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: lines.length, maxLength: lines.length }).map((ends) => lines.map((l, i) => l + ends[i]).join('')));

function drainAll(parser: SseParser, chunks: Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = [];
  for (const c of chunks) events.push(...parser.push(c));
  events.push(...parser.end());
  return events;
}

describe('fuzzing ext_proc body parsers', () => {
  it('SSE parser: any chunking yields the same events as one chunk, and the raw texts add up to the input', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(sseText, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const whole = drainAll(new SseParser(), [bytes]);
        const pieces = drainAll(new SseParser(), chunked(bytes, cuts));
        expect(pieces).toEqual(whole);
        expect(whole.map((e) => e.raw).join('')).toBe(new TextDecoder().decode(bytes));
      }),
      fuzzParams(1000),
    );
  });

  it('SSE parser: arbitrary bytes never throw; withData keeps the data', { timeout: fuzzTimeout(30_000) }, () => {
    // Event data never holds a \r (the parser splits lines there), nor does what replaces it.
    const data = hostileText.map((t) => t.replace(/\r/g, ''));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 4 }), data, (bytes, cuts, newData) => {
        const events = drainAll(new SseParser(), chunked(bytes, cuts));
        for (const event of events) expect(parseEvent(withData(event, newData)).data).toBe(newData);
      }),
      fuzzParams(1000),
    );
  });

  it('stream event plans: never throw; every piece path holds its text in the parsed data', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(api, fc.oneof(llmBody.map((b) => JSON.stringify(b) ?? 'null'), hostileText), (which, data) => {
        const plan = planStreamEvent(which, parseEvent(`data: ${data.replace(/[\r\n]/g, ' ')}\n\n`));
        for (const piece of [...plan.pieces, ...plan.fullTexts]) {
          if (piece.path.length > 0) expect(at(plan.json, piece.path)).toBe(piece.text);
        }
      }),
      fuzzParams(1000),
    );
  });

  it('request and response body texts: never throw; every JSON segment path holds its text', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(api, fc.oneof(llmBody.map((b) => JSON.stringify(b) ?? 'null'), hostileText), fc.constantFrom('json', 'text'), (which, text, kind) => {
        for (const texts of [requestBodyTexts(which, kind as 'json', text), responseBodyTexts(which, kind as 'json', text)]) {
          if (texts.layout === 'whole') {
            expect(texts.segments.map((s) => s.text).join('')).toBe(text);
            continue;
          }
          const root = JSON.parse(text) as unknown;
          for (const s of texts.segments) expect(at(root, s.path)).toBe(s.text);
        }
      }),
      fuzzParams(1000),
    );
  });

  it('editJsonStrings: replacing the located strings round-trips; every other byte is kept', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(api, llmBody, fc.array(hostileText, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 2), (which, body, values, indent) => {
        const text = JSON.stringify(body, null, indent) ?? 'null';
        const segments = requestBodyTexts(which, 'json', text).segments.concat(responseBodyTexts(which, 'json', text).segments).filter((s) => s.path.length > 0);
        const unique = [...new Map(segments.map((s) => [JSON.stringify(s.path), s])).values()];
        const edits = unique.map((s, i) => ({ path: s.path, value: values[i % values.length]! }));
        const out = editJsonStrings(text, edits);
        const expected = JSON.parse(text) as unknown;
        for (const e of edits) (at(expected, e.path.slice(0, -1)) as Record<string | number, unknown>)[e.path.at(-1)!] = e.value;
        expect(JSON.parse(out)).toEqual(expected);
        if (edits.length === 0) expect(out).toBe(text);
      }),
      fuzzParams(1000),
    );
  });

  it('editJsonStrings: text that is not JSON is a JsonEditError, never another exception', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, hostileJson.map((v) => (JSON.stringify(v) ?? '').slice(1))), fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.nat(3)), { maxLength: 3 }), (text, path) => {
        try {
          editJsonStrings(text, [{ path, value: 'x' }]);
        } catch (err) {
          expect(err).toBeInstanceOf(JsonEditError);
        }
      }),
      fuzzParams(1000),
    );
  });

  it('BodyAccumulator: keeps exactly the bytes up to its limit, then only counts', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), fc.nat(200), (chunks, limit) => {
        const acc = new BodyAccumulator(limit);
        for (const c of chunks) acc.add(c);
        const total = chunks.reduce((n, c) => n + c.length, 0);
        expect(acc.overLimit).toBe(total > limit);
        // Past the limit it stops counting: the size it went over at is enough to refuse.
        expect(acc.byteLength).toBe(acc.overLimit ? acc.byteLength : total);
        if (acc.overLimit) expect(acc.byteLength).toBeGreaterThan(limit);
        if (!acc.overLimit) expect(Buffer.from(acc.bytes())).toEqual(Buffer.concat(chunks));
      }),
      fuzzParams(1000),
    );
  });
});
