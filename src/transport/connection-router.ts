/**
 * One port, two protocols. Every accepted TCP connection is sniffed: a connection that opens
 * with the HTTP/2 client preface ("PRI * HTTP/2.0...") goes to grpc-js; anything else to an
 * HTTP/1.1 server running the Connect adapter. Node's plaintext http2 server refuses HTTP/1.1,
 * hence the sniffing.
 *
 * The sniffed bytes are pushed back with `unshift`. Node's http2 session reads bytes already
 * buffered on a socket it is given (and then reads the native handle directly), so the socket
 * must stay paused for it; the HTTP/1.1 server instead needs the socket resumed. After the
 * handover the gRPC path is grpc-js's own: no proxying, no copies.
 */
import type { Socket } from 'node:net';

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Enough of the preface to tell it from any HTTP/1.1 request line. */
const SNIFF_BYTES = 4;

/** Where sniffed connections go. */
export interface ConnectionTargets {
  http2(socket: Socket): void;
  http1(socket: Socket): void;
  /** Close connections that send nothing for this long (default 30 s). */
  sniffTimeoutMs?: number;
}

/** What the first bytes say: 'http2', 'http1', or undefined while they could still be either. */
export function classifyConnection(head: Buffer): 'http2' | 'http1' | undefined {
  const n = Math.min(head.length, SNIFF_BYTES);
  if (!head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n))) return 'http1';
  return n >= SNIFF_BYTES ? 'http2' : undefined;
}

/** A 'connection' listener for a net.Server. */
export function routeConnections(targets: ConnectionTargets): (socket: Socket) => void {
  const timeoutMs = targets.sniffTimeoutMs ?? 30_000;
  return (socket) => {
    let head: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    const onError = (): void => {
      cleanup();
      socket.destroy();
    };
    const onEnd = (): void => {
      cleanup();
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const kind = classifyConnection(head);
      if (kind === undefined) return;
      cleanup();
      socket.pause();
      socket.unshift(head);
      if (kind === 'http2') {
        targets.http2(socket);
      } else {
        targets.http1(socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  };
}
