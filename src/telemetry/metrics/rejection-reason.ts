/**
 * Why a request was refused, as a fixed set of label values for
 * `bulwark_requests_rejected_total{reason}` (never the error message: it may name a tenant or
 * a size, and the set of messages is not bounded).
 */
import { status } from '@grpc/grpc-js';
import type { RpcError } from '../../sidecar/status-errors.js';

export type RejectionReason =
  | 'oversize'
  | 'invalid_utf8'
  | 'invalid_argument'
  | 'queue_full'
  | 'deadline'
  | 'cancelled'
  | 'unknown_tenant'
  | 'unknown_policy'
  | 'draining'
  | 'permission_denied'
  | 'failed_precondition'
  | 'internal';

/** The label value for an error a caller received. */
export function rejectionReason(err: RpcError): RejectionReason {
  switch (err.code) {
    case status.INVALID_ARGUMENT:
      // The messages are ours (content-limits.ts): "... is N bytes; the limit is M bytes" and "invalid UTF-8".
      if (err.message.includes('the limit is')) return 'oversize';
      if (err.message.includes('invalid UTF-8')) return 'invalid_utf8';
      return 'invalid_argument';
    case status.RESOURCE_EXHAUSTED:
      // A stream's unreleased text over the limit is also RESOURCE_EXHAUSTED: it is a size refusal.
      return err.message.includes('over the limit') ? 'oversize' : 'queue_full';
    case status.DEADLINE_EXCEEDED:
      return 'deadline';
    case status.CANCELLED:
      return 'cancelled';
    case status.NOT_FOUND:
      // engine/resolve-policy.ts: "unknown tenant ..." or "tenant ... has no policy ...".
      return err.message.startsWith('unknown tenant') ? 'unknown_tenant' : 'unknown_policy';
    case status.UNAVAILABLE:
      return 'draining';
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
      return 'permission_denied';
    case status.FAILED_PRECONDITION:
      return 'failed_precondition';
    default:
      return 'internal';
  }
}
