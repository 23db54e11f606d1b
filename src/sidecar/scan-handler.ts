/**
 * Unary Scan, independent of the transport: validate, build the ScanTask, run it on the pool,
 * shape the ScanResponse. Throws RpcError.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { ScanResponseSchema, type ScanRequest, type ScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import type { ScanResult, ScanTask } from '../engine/types.js';
import { checkDecoded, checkRequestSize } from './content-limits.js';
import type { CallContext } from './deadlines.js';
import { actionEnum, directionName, tenantOrDefault, threatMessage } from './proto-mapping.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { isServerFault, toRpcError } from './status-errors.js';
import { logScanFailed, logScanFinished } from '../telemetry/request-log.js';
import { traceScan } from '../telemetry/tracing/pool-hop-spans.js';

/** Builds the engine task; throws INVALID_ARGUMENT for requests the engine must not see. */
export function scanTaskOf(request: ScanRequest, deadline: number, maxContentBytes: number): ScanTask {
  checkDecoded(request);
  checkRequestSize(
    { content: request.content, system_prompt: request.systemPrompt, input_content: request.inputContent },
    maxContentBytes,
  );
  const task: ScanTask = {
    tenantId: tenantOrDefault(request.tenantId),
    direction: directionName(request.direction),
    content: request.content,
    policyId: request.policyId,
    deadline,
  };
  // Only set when given: they cross the thread boundary with every task.
  if (request.systemPrompt) task.systemPrompt = request.systemPrompt;
  if (request.inputContent) task.inputContent = request.inputContent;
  return task;
}

/**
 * An OUTPUT scan without `input_content` gets the replies its request's injected input demanded
 * (remembered by the INPUT scan with the same caller-given request_id), for hijack detection.
 */
function linkDemandedReplies(task: ScanTask, requestId: string, deps: ScanServiceDeps): void {
  if (task.direction !== 'OUTPUT' || task.inputContent) return;
  const demands = deps.demandedReplies?.demandsFor(task.tenantId, requestId);
  if (demands) task.demandedReplies = demands;
}

/** Engine result → ScanResponse; `allowed` is false exactly for BLOCK, `redacted_content` set only for REDACT. */
export function scanResponseOf(
  result: ScanResult,
  ids: { scanId: string; requestId: string; tenantId: string },
  latencyMs: number,
): ScanResponse {
  return create(ScanResponseSchema, {
    scanId: ids.scanId,
    allowed: result.action !== 'BLOCK',
    action: actionEnum(result.action),
    threats: result.threats.map(threatMessage),
    redactedContent: result.action === 'REDACT' ? (result.redactedContent ?? '') : '',
    latencyMs,
    policyVersion: result.policyVersion,
    requestId: ids.requestId,
    tenantId: ids.tenantId,
  });
}

/** Serves one Scan; throws RpcError. Counts as an in-flight call for the drain. */
export async function handleScan(request: ScanRequest, ctx: CallContext, deps: ScanServiceDeps): Promise<ScanResponse> {
  const startedAt = performance.now();
  const endCall = deps.calls.begin();
  const requestId = request.requestId || randomUUID();
  try {
    const task = scanTaskOf(request, ctx.deadline, deps.maxContentBytes);
    linkDemandedReplies(task, request.requestId, deps);
    const result = await traceScan(ctx.trace, task, () => deps.pool.scan(task, ctx.signal));
    if (task.direction === 'INPUT') deps.demandedReplies?.rememberInput(task.tenantId, request.requestId, task.content, result);
    const scanId = randomUUID();
    const latencyMs = performance.now() - startedAt;
    const response = scanResponseOf(result, { scanId, requestId, tenantId: task.tenantId }, latencyMs);
    logScanFinished(deps.logger, { requestId, tenantId: task.tenantId, scanId }, { direction: task.direction, action: result.action, threats: result.threats, latencyMs, policyVersion: result.policyVersion });
    deps.feedback?.rememberScan(scanId, task.tenantId, task.content, result);
    if (deps.scanRecords) {
      const ids = { scanId, requestId, agentId: request.agentId, tenantId: task.tenantId, direction: task.direction, startedAt: Date.now() - latencyMs };
      deps.scanRecords.scanned(ids, task.content, result, latencyMs);
    }
    return response;
  } catch (err) {
    const rpcError = toRpcError(err);
    deps.scanMetrics?.rejected(rpcError);
    logScanFailed(deps.logger, { requestId, tenantId: tenantOrDefault(request.tenantId) }, rpcError, err, isServerFault(rpcError));
    throw rpcError;
  } finally {
    endCall();
  }
}
