/**
 * The admin services over the Connect protocol (JSON and binary, HTTP/1.1) on the gRPC port,
 * for callers without a gRPC stack:
 *
 *   curl -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{}' \
 *     http://127.0.0.1:50052/bulwark.v1.PolicyAdminService/ListPolicies
 *
 * The same authorized calls as gRPC (unary-service.ts), so authentication, the permission
 * table and tenant scoping cannot differ between the two; errors carry the same codes
 * (Connect's codes are gRPC's numbers: unauthenticated, permission_denied, not_found, ...).
 */
import { ConnectError, type Code, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import type { DescMethodUnary } from '@bufbuild/protobuf';
import type { Logger } from '../../telemetry/logger.js';
import { traceConnectUnary } from '../../telemetry/tracing/traced-calls.js';
import { toControlRpcError } from './status-errors.js';
import type { AuthorizedUnaryCall } from './unary-service.js';

/** Registers each call on `router`. */
export function addConnectUnaryRoutes(router: ConnectRouter, calls: readonly AuthorizedUnaryCall[], logger: Logger): void {
  for (const { path, method, run } of calls) {
    const impl = (request: unknown, context: HandlerContext): Promise<unknown> =>
      traceConnectUnary(context, undefined, async () => {
        try {
          return await run(request, context.requestHeader.get('authorization') ?? undefined);
        } catch (err) {
          const e = toControlRpcError(err, logger, path);
          throw new ConnectError(e.message, e.code as number as Code);
        }
      });
    router.rpc(method as DescMethodUnary, impl as never);
  }
}
