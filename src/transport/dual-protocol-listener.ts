/**
 * One TCP port serving a grpc-js server and an HTTP/1.1 request listener (the Connect
 * adapter), for services that need no more than that (the control plane; the sidecar composes
 * the same pieces with its own drain logic).
 *
 * Plaintext: the first bytes of each connection choose (connection-router.ts).
 * TLS: the TLS handshake's ALPN chooses instead — "h2" goes to grpc-js, "http/1.1" or no ALPN
 * to the Connect adapter. The TLS server terminates TLS, so grpc-js receives the decrypted
 * socket through a plaintext connection injector. A Connect client that negotiates h2 (curl
 * does for https:// unless given --http1.1) reaches grpc-js, which only speaks gRPC: Connect
 * over TLS needs HTTP/1.1.
 */
import { createServer as createHttp1Server, type RequestListener } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { ServerCredentials, type Server as GrpcServer } from '@grpc/grpc-js';
import { routeConnections } from './connection-router.js';

export interface DualProtocolOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  grpc: GrpcServer;
  http1: RequestListener;
  /** Terminate TLS with these options (certificate, key, client-certificate checks). */
  tls?: TlsOptions;
}

export interface DualProtocolListener {
  /** The bound port. */
  readonly port: number;
  /**
   * Stops accepting connections, lets calls in flight finish for up to `graceMs` (GOAWAY on
   * HTTP/2, keep-alive connections closed once idle on HTTP/1.1), then cuts what is left.
   */
  close(graceMs: number): Promise<void>;
}

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** Resolves true once every socket in `sockets` has closed, false after `timeoutMs`. */
export function allClosed(sockets: Set<Socket>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (sockets.size > 0) return;
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      for (const socket of sockets) socket.off('close', check);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    for (const socket of sockets) socket.once('close', check);
    check();
  });
}

export async function listenDualProtocol(options: DualProtocolOptions): Promise<DualProtocolListener> {
  const grpcConnections = options.grpc.createConnectionInjector(ServerCredentials.createInsecure());
  const http1 = createHttp1Server(options.http1);
  // Never listens itself; 'listening' starts Node's connection tracking (idle close, timeouts).
  http1.emit('listening');
  const toGrpc = (socket: Socket): void => grpcConnections.injectConnection(socket);
  const toHttp1 = (socket: Socket): void => void http1.emit('connection', socket);

  const front: NetServer = options.tls
    ? createTlsServer({ ...options.tls, ALPNProtocols: ['h2', 'http/1.1'] }, (socket: TLSSocket) =>
        socket.alpnProtocol === 'h2' ? toGrpc(socket) : toHttp1(socket),
      )
    : createNetServer(routeConnections({ http2: toGrpc, http1: toHttp1 }));
  const sockets = new Set<Socket>();
  front.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A failed handshake (wrong CA, plaintext client) is the client's problem: drop the socket.
  front.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());

  let port: number;
  try {
    port = await listen(front, options.host, options.port);
  } catch (err) {
    grpcConnections.destroy();
    throw err;
  }

  let closed: Promise<void> | undefined;
  return {
    port,
    close(graceMs) {
      closed ??= (async () => {
        front.close();
        grpcConnections.drain(graceMs);
        http1.close();
        // A keep-alive connection finishing its last response becomes idle after close().
        const idleSweep = setInterval(() => http1.closeIdleConnections(), 50);
        http1.closeIdleConnections();
        const drained = await allClosed(sockets, graceMs);
        clearInterval(idleSweep);
        grpcConnections.destroy();
        if (!drained) http1.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      })();
      return closed;
    },
  };
}
