/**
 * The GitOps commands' connection to the control plane's admin API: --server (or
 * BULWARK_CONTROL_PLANE), the token from BULWARK_TOKEN (or the file BULWARK_TOKEN_FILE),
 * optional TLS files, and a promise-based unary call that turns gRPC failures into
 * readable errors ("NOT_FOUND: policy "x" does not exist").
 */
import { readFileSync } from 'node:fs';
import { create, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { channelCredentials } from '../control/grpc/tls-credentials.js';
import { grpcServiceDefinition } from '../sidecar/grpc-service-definition.js';
import { createLogger } from '../telemetry/logger.js';
import { stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';

type MethodsOf<S> = S extends GenService<infer T extends GenServiceMethods> ? T : never;

export interface AdminConnection {
  call<S extends DescService, K extends keyof MethodsOf<S> & string>(
    service: S,
    method: K,
    request: MessageInitShape<MethodsOf<S>[K]['input']>,
  ): Promise<MessageShape<MethodsOf<S>[K]['output']>>;
  close(): void;
}

/** A failed call: the gRPC code and the server's message. */
export class AdminCallError extends Error {
  constructor(
    readonly code: grpc.status,
    details: string,
  ) {
    super(`${grpc.status[code] ?? code}: ${details}`);
    this.name = 'AdminCallError';
  }
}

function token(env: NodeJS.ProcessEnv): string {
  const direct = env.BULWARK_TOKEN?.trim();
  if (direct) return direct;
  if (env.BULWARK_TOKEN_FILE) return readFileSync(env.BULWARK_TOKEN_FILE, 'utf8').trim();
  throw new UsageError('no token: set BULWARK_TOKEN (e.g. `export BULWARK_TOKEN=$(bulwark token --tenant acme --role editor)`) or BULWARK_TOKEN_FILE');
}

export function connectAdmin(flags: ParsedFlags, env: NodeJS.ProcessEnv): AdminConnection {
  const address = stringFlag(flags, 'server') ?? (env.BULWARK_CONTROL_PLANE || undefined);
  if (!address) throw new UsageError('no control plane: pass --server host:port or set BULWARK_CONTROL_PLANE');
  const authorization = `Bearer ${token(env)}`;
  const tls = {
    cert: stringFlag(flags, 'tls-cert') ?? (env.BULWARK_TLS_CERT || undefined),
    key: stringFlag(flags, 'tls-key') ?? (env.BULWARK_TLS_KEY || undefined),
    ca: stringFlag(flags, 'tls-ca') ?? (env.BULWARK_TLS_CA || undefined),
  };
  const client = new grpc.Client(address, channelCredentials(tls, address, createLogger({ name: 'bulwark-cli', level: 'warn' })));
  return {
    call(service, method, request) {
      const desc = service.methods.find((m) => m.localName === method);
      if (!desc) throw new Error(`unknown method ${method}`);
      const def = grpcServiceDefinition(service)[desc.name] as grpc.MethodDefinition<unknown, unknown>;
      const metadata = new grpc.Metadata();
      metadata.set('authorization', authorization);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          def.path,
          def.requestSerialize,
          def.responseDeserialize,
          create(desc.input, request as MessageInitShape<typeof desc.input>),
          metadata,
          { deadline: Date.now() + 30_000 },
          (err: grpc.ServiceError | null, response?: unknown) => (err ? reject(new AdminCallError(err.code, err.details)) : resolve(response as never)),
        );
      });
    },
    close() {
      client.close();
    },
  };
}
