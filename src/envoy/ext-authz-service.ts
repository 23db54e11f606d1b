/**
 * envoy.service.auth.v3.Authorization/Check: scans the request (headers say where it goes,
 * the body what the model will read) as INPUT under the tenant's policy and allows or denies.
 * Translation lives in ext-authz-translate.ts; this file runs the scan. Errors (overload,
 * unknown tenant with `unknownTenant: reject`, deadline) become gRPC errors, so Envoy's own
 * failure_mode_allow / status_on_error decide.
 */
import { randomUUID } from 'node:crypto';
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CheckRequest, CheckResponse } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import type { CallContext } from '../sidecar/deadlines.js';
import { checkDecoded } from '../sidecar/content-limits.js';
import type { ScanServiceDeps } from '../sidecar/scan-service-deps.js';
import { isServerFault, toRpcError } from '../sidecar/status-errors.js';
import { requestBodyTexts } from './body-texts.js';
import { refusesUnscannable, type ResolvedEnvoyOptions } from './envoy-options.js';
import { authzRequestOf, checkAllowed, checkDenied } from './ext-authz-translate.js';
import { grpcCallContext } from '../sidecar/grpc-call-context.js';
import { outcomeMetadata, type ScanOutcome } from './scan-outcome.js';
import { BodyTooLargeError, policyFailMode, scanSegments } from './segment-scanner.js';
import { checkRequestHeaders } from '../telemetry/tracing/envoy-trace-headers.js';
import { traceGrpcUnaryWithHeaders } from '../telemetry/tracing/traced-calls.js';

function skipped(scanId: string, policyVersion: string, partial = false): ScanOutcome {
  return { action: 'ALLOW', threatTypes: [], scanId, policyVersion, partial, skipped: true };
}

/** The decision for one CheckRequest. Throws RpcError-mappable errors. */
export async function check(request: CheckRequest, ctx: CallContext, deps: ScanServiceDeps, options: ResolvedEnvoyOptions): Promise<CheckResponse> {
  checkDecoded(request);
  const input = authzRequestOf(request, options);
  const pool = deps.pool;
  const version = pool.policySet.version;
  if (input.body === undefined || input.binary) return checkAllowed(skipped(randomUUID(), version));
  const refuses = (): boolean => refusesUnscannable(options.partialBody, policyFailMode(pool, input.tenantId, input.policyId));
  const unscannable = () => {
    const scanId = randomUUID();
    return checkDenied({ reason: 'unscannable', threatTypes: [], scanId }, input.api, outcomeMetadata({ ...skipped(scanId, version, true), action: 'BLOCK' }));
  };
  if (input.partial && refuses()) return unscannable();

  const texts = requestBodyTexts(input.api, input.kind, input.body);
  let outcome: ScanOutcome;
  try {
    outcome = await scanSegments(
      pool,
      {
        tenantId: input.tenantId,
        policyId: input.policyId,
        direction: 'INPUT',
        texts: texts.segments.map((s) => s.text),
        deadline: ctx.deadline,
        signal: ctx.signal,
        trace: ctx.trace,
        ...(deps.scanRecords ? { record: { sink: deps.scanRecords, requestId: input.requestId } } : {}),
      },
      deps.maxContentBytes,
    );
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    return refuses() ? unscannable() : checkAllowed(skipped(randomUUID(), version, true));
  }
  outcome.partial = input.partial;
  if (outcome.action === 'BLOCK' || (outcome.action === 'REDACT' && options.authzRedact === 'deny')) {
    return checkDenied({ reason: 'blocked', threatTypes: outcome.threatTypes, scanId: outcome.scanId }, input.api, outcomeMetadata(outcome));
  }
  return checkAllowed(outcome);
}

export function extAuthzImplementation(deps: ScanServiceDeps, options: ResolvedEnvoyOptions): UntypedServiceImplementation {
  return {
    Check(call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>): void {
      let endCall: (() => void) | undefined;
      try {
        endCall = deps.calls.begin();
        const { ctx, answered } = grpcCallContext(call);
        traceGrpcUnaryWithHeaders(call, checkRequestHeaders(call.request), ctx, () => check(call.request, ctx, deps, options)).then(
          (response) => {
            answered();
            endCall?.();
            callback(null, response);
          },
          (err: unknown) => {
            answered();
            endCall?.();
            const e = toRpcError(err);
            deps.scanMetrics?.rejected(e);
            if (isServerFault(e)) deps.logger.error({ code: e.code, err: (err as Error)?.name }, 'ext_authz check failed');
            callback({ code: e.code, details: e.message });
          },
        );
      } catch (err) {
        endCall?.();
        const e = toRpcError(err);
        callback({ code: e.code, details: e.message });
      }
    },
  };
}
