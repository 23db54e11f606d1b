/**
 * A real HTTP receiver on 127.0.0.1 (port 0) for webhook tests: records every request (raw
 * body, headers, arrival time) and answers with a programmable status. `stop()`/`restart()`
 * take it down and bring it back on the same port ("receiver down for a while").
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  body: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** The answer to a request; 'hang' never answers (the socket is cut at stop). */
export type Responder = (request: ReceivedRequest, index: number) => { status: number; headers?: Record<string, string> } | 'hang';

export class AlertReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: Responder = () => ({ status: 200 });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Parsed JSON bodies. */
  bodies(): Array<Record<string, unknown>> {
    return this.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  async start(): Promise<this> {
    const server = createServer((req, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() };
        const index = this.requests.push(request) - 1;
        const answer = this.respond(request, index);
        if (answer === 'hang') return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('receiver says: not telling');
      });
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the listener and every connection (clients then see ECONNREFUSED / resets). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restart(): Promise<this> {
    return this.start();
  }
}

/** Polls `check` until true (generous default: machines under load). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
