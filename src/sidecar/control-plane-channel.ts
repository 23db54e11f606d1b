/**
 * The sidecar's one gRPC channel to the control plane, shared by the policy stream and
 * record shipping: TLS per configuration (tls-credentials.ts), the bearer token on every
 * call, keepalive pings so a vanished control plane is noticed within ~40 s even when no
 * policy changes, and a reconnect backoff capped at the caller's maximum (grpc-js would
 * otherwise wait up to 2 minutes between attempts).
 */
import * as grpc from '@grpc/grpc-js';
import { channelCredentials, type TlsFiles } from '../control/grpc/tls-credentials.js';
import type { Logger } from '../telemetry/logger.js';

export interface ControlPlaneConnection {
  /** host:port of the control plane. */
  address: string;
  /** A JWT with the `sidecar` role. */
  token: string;
  tls?: TlsFiles;
  /** Longest pause between reconnect attempts (default 15 s). */
  maxBackoffMs?: number;
}

export class ControlPlaneChannel {
  readonly client: grpc.Client;
  private readonly authorization: string;

  constructor(connection: ControlPlaneConnection, logger: Logger) {
    const maxBackoff = connection.maxBackoffMs ?? 15_000;
    this.client = new grpc.Client(connection.address, channelCredentials(connection.tls, connection.address, logger), {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': Math.min(250, maxBackoff),
      'grpc.max_reconnect_backoff_ms': maxBackoff,
    });
    this.authorization = `Bearer ${connection.token}`;
  }

  /** Fresh metadata with the token (grpc-js may mutate what it is given). */
  metadata(): grpc.Metadata {
    const m = new grpc.Metadata();
    m.set('authorization', this.authorization);
    return m;
  }

  /** One unary call with the token and a deadline; settles with the error or the response, never rejects. */
  unary<Req, Res>(method: grpc.MethodDefinition<Req, Res>, request: Req, timeoutMs: number): Promise<{ err: grpc.ServiceError | null; response?: Res | undefined }> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        this.metadata(),
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, response?: Res) => resolve({ err, response }),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}
