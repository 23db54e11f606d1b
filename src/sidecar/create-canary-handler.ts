/**
 * CreateCanary, independent of the transport: mints a canary token under the tenant's canary
 * key (derived at policy compile, compile-policy.ts) and a ready-made system-prompt sentence.
 * Stateless: any sidecar of the deployment verifies the token later.
 */
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { CreateCanaryResponseSchema, type CreateCanaryRequest, type CreateCanaryResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { canaryInstruction, mintCanaryToken } from '../detectors/output/canary-token.js';
import { resolvePolicy } from '../engine/resolve-policy.js';
import { checkDecoded } from './content-limits.js';
import { tenantOrDefault } from './proto-mapping.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { RpcError, toRpcError } from './status-errors.js';

/** Serves one CreateCanary; throws RpcError (FAILED_PRECONDITION without a canary secret). */
export function handleCreateCanary(request: CreateCanaryRequest, deps: Pick<ScanServiceDeps, 'pool'>): CreateCanaryResponse {
  try {
    checkDecoded(request);
    const tenantId = tenantOrDefault(request.tenantId);
    // The tenant's default policy holds its key (every policy of a tenant derives the same one
    // unless a policy names its own keyEnv).
    const key = resolvePolicy(deps.pool.policySet, tenantId, '').canaryKey;
    if (!key) {
      throw new RpcError(status.FAILED_PRECONDITION, 'no canary secret is configured (set BULWARK_CANARY_KEY or outputGuards.canary.keyEnv)');
    }
    const canary = mintCanaryToken(key, (n) => randomBytes(n));
    return create(CreateCanaryResponseSchema, { canary, instruction: canaryInstruction(canary), tenantId });
  } catch (err) {
    throw toRpcError(err);
  }
}
