/**
 * Binds plain handler objects (one async function per RPC) to grpc-js (and, through
 * connect-routes.ts, to Connect), with authentication
 * and authorisation in front of every call. Handlers receive the decoded request and the
 * verified principal, return the response's init shape, and throw RpcError / StoreError /
 * PolicyValidationError for expected failures.
 */
import type * as grpc from '@grpc/grpc-js';
import { create, type DescMethod, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { Logger } from '../../telemetry/logger.js';
import { authorize, bearerToken } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { RPC_PERMISSIONS } from '../auth/roles.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { checkDecoded } from '../../sidecar/content-limits.js';
import type { RpcError } from '../../sidecar/status-errors.js';
import { traceGrpcUnary } from '../../telemetry/tracing/traced-calls.js';
import { toControlRpcError, toServiceError } from './status-errors.js';

/** What a handler knows about its call. */
export interface CallContext {
  principal: Principal;
}

type MethodsOf<S> = S extends GenService<infer T extends GenServiceMethods> ? T : never;

/** One async handler per RPC of service `S` (unary methods only). */
export type ServiceHandlers<S> = {
  [K in keyof MethodsOf<S>]: (
    request: MessageShape<MethodsOf<S>[K]['input']>,
    context: CallContext,
  ) => Promise<MessageInitShape<MethodsOf<S>[K]['output']>>;
};

type AnyHandler = (request: unknown, context: CallContext) => Promise<unknown>;

/** One RPC, authenticated and authorised, independent of the transport that carries it. */
export interface AuthorizedUnaryCall {
  /** "/package.Service/Method" */
  path: string;
  method: DescMethod;
  /** Verifies the `authorization` header value, authorises, runs the handler; throws on failure. */
  run(request: unknown, authorization: string | undefined): Promise<unknown>;
}

/**
 * The RPCs of `service` behind authentication and authorisation. Fails at startup (not per
 * call) when an RPC has no entry in the permission table: a new RPC can never be reachable
 * without a decision. gRPC and Connect both serve these, so auth applies identically.
 */
export function authorizedUnaryCalls<S extends DescService>(service: S, handlers: ServiceHandlers<S>, verifier: TokenVerifier): AuthorizedUnaryCall[] {
  return service.methods.map((method) => {
    const path = `/${service.typeName}/${method.name}`;
    const permission = RPC_PERMISSIONS[path];
    if (!permission) throw new Error(`no permission is declared for ${path}`);
    if (method.methodKind !== 'unary') throw new Error(`${path} is not unary`);
    const handler = (handlers as Record<string, AnyHandler>)[method.localName];
    if (!handler) throw new Error(`no handler for ${path}`);
    const run = async (request: unknown, authorization: string | undefined): Promise<unknown> => {
      const principal = await verifier.verify(bearerToken(authorization));
      authorize(principal, permission);
      // The shared deserializer marks undecodable bytes (e.g. invalid UTF-8) instead of throwing.
      checkDecoded(request as object);
      const response = await handler(request, { principal });
      return create(method.output, response as MessageInitShape<typeof method.output>);
    };
    return { path, method, run };
  });
}

/** The grpc-js implementation of one service's calls. */
export function bindUnaryService(calls: readonly AuthorizedUnaryCall[], logger: Logger): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const { path, method, run } of calls) {
    implementation[method.localName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const header = call.metadata.get('authorization')[0];
      // Mapped inside the traced call so the span records the status the caller gets.
      const answer = (): Promise<unknown> => run(call.request, typeof header === 'string' ? header : undefined).catch((err: unknown) => {
        throw toControlRpcError(err, logger, path);
      });
      traceGrpcUnary(call, undefined, answer).then(
        (response) => callback(null, response),
        (err: unknown) => callback(toServiceError(err as RpcError)),
      );
    };
  }
  return implementation;
}
