/**
 * A small OpenAI-compatible upstream for end-to-end tests: POST /v1/chat/completions answers
 * with a scripted assistant message, streamed as SSE chunks (one write per event, a moment
 * apart, so they arrive as separate body chunks) when the request says `stream: true`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface OpenAiUpstream {
  port: number;
  /** Requests received, in order. */
  requests: UpstreamRequest[];
  /** The deltas of the next answer (the whole content when not streamed). */
  answer: string[];
  close(): Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function chunk(id: string, delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1700000000, model: 'fixture-1', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
}

export async function startOpenAiUpstream(): Promise<OpenAiUpstream> {
  const state: Omit<OpenAiUpstream, 'port' | 'close'> = { requests: [], answer: ['Hello', ' there', '!'] };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      state.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      let stream: boolean;
      try {
        stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const id = 'chatcmpl-fixture';
      if (!stream) {
        const message = { role: 'assistant', content: state.answer.join(''), refusal: null };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, object: 'chat.completion', created: 1700000000, model: 'fixture-1', choices: [{ index: 0, message, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      void (async () => {
        res.write(chunk(id, { role: 'assistant', content: '' }));
        for (const delta of state.answer) {
          await pause(2);
          res.write(chunk(id, { content: delta }));
        }
        await pause(2);
        res.write(chunk(id, {}, 'stop'));
        await pause(2);
        res.end('data: [DONE]\n\n');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as OpenAiUpstream;
}
