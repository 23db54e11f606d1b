/**
 * Feedback, independent of the transport: translates the request into a report for the
 * sidecar's {@link FeedbackService} (src/feedback/) and its errors into gRPC statuses. The
 * service gets the new entries onto every scanner thread before this resolves.
 */
import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { FeedbackKind, FeedbackResponseSchema, type FeedbackRequest, type FeedbackResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import type { FeedbackThreatType } from '../engine/feedback-overlay.js';
import { FeedbackNotFoundError, type FeedbackRequestInput } from '../feedback/feedback-service.js';
import { FeedbackError, type FeedbackKind as KindName } from '../feedback/feedback-store.js';
import { checkContentSize, checkDecoded } from './content-limits.js';
import { tenantOrDefault } from './proto-mapping.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { isServerFault, RpcError, toRpcError } from './status-errors.js';

function kindName(kind: FeedbackKind): KindName {
  if (kind === FeedbackKind.FALSE_POSITIVE) return 'FALSE_POSITIVE';
  if (kind === FeedbackKind.FALSE_NEGATIVE) return 'FALSE_NEGATIVE';
  throw new RpcError(status.INVALID_ARGUMENT, 'kind must be FEEDBACK_KIND_FALSE_POSITIVE or FEEDBACK_KIND_FALSE_NEGATIVE');
}

function threatTypeName(type: ThreatType): FeedbackThreatType | undefined {
  if (type === ThreatType.UNSPECIFIED) return undefined;
  const name = ThreatType[type] as string | undefined;
  if (name === undefined || name === 'SCANNER_ERROR') throw new RpcError(status.INVALID_ARGUMENT, `threat_type ${String(type)} cannot be the subject of feedback`);
  return name as FeedbackThreatType;
}

/** The transport-neutral report; throws RpcError INVALID_ARGUMENT for malformed requests. */
export function feedbackInputOf(request: FeedbackRequest, maxContentBytes: number): FeedbackRequestInput {
  checkDecoded(request);
  const input: FeedbackRequestInput = { tenantId: tenantOrDefault(request.tenantId), kind: kindName(request.kind) };
  const threatType = threatTypeName(request.threatType);
  if (threatType) input.threatType = threatType;
  if (request.note) input.note = request.note;
  switch (request.subject.case) {
    case 'scanId':
      input.scanId = request.subject.value;
      break;
    case 'content':
      checkContentSize(request.subject.value, maxContentBytes);
      input.content = request.subject.value;
      break;
    case 'phrase':
      input.phrase = request.subject.value;
      break;
    default:
      throw new RpcError(status.INVALID_ARGUMENT, 'one of scan_id, content or phrase must be set');
  }
  return input;
}

function statusOf(err: unknown): RpcError {
  if (err instanceof FeedbackNotFoundError) return new RpcError(status.NOT_FOUND, err.message);
  if (err instanceof FeedbackError) return new RpcError(err.code === 'RESOURCE_EXHAUSTED' ? status.RESOURCE_EXHAUSTED : status.INVALID_ARGUMENT, err.message);
  return toRpcError(err);
}

export async function handleFeedback(request: FeedbackRequest, deps: ScanServiceDeps): Promise<FeedbackResponse> {
  const endCall = deps.calls.begin();
  try {
    if (!deps.feedback) throw new RpcError(status.UNIMPLEMENTED, 'feedback is not enabled on this sidecar');
    const outcome = await deps.feedback.report(feedbackInputOf(request, deps.maxContentBytes));
    return create(FeedbackResponseSchema, {
      feedbackId: outcome.entry.id,
      tenantId: outcome.entry.tenant,
      textSha256: outcome.entry.sha256,
      tenantEntries: outcome.tenantEntries,
      persisted: outcome.persisted,
    });
  } catch (err) {
    const rpcError = statusOf(err);
    if (isServerFault(rpcError)) deps.logger.error({ err: (err as Error)?.name, code: rpcError.code }, 'feedback failed');
    throw rpcError;
  } finally {
    endCall();
  }
}
