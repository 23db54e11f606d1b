/**
 * ext_authz, as plain functions: Envoy's CheckRequest → what to scan and under which tenant;
 * our decision → Envoy's CheckResponse. No I/O; the service (ext-authz-service.ts) runs the scan.
 */
import { create } from '@bufbuild/protobuf';
import { CheckResponseSchema, type CheckRequest, type CheckResponse } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { blockedJson, type BlockInfo } from './blocked-bodies.js';
import { bodyText, contentKind, type ContentKind } from './content-kind.js';
import {
  ACTION_HEADER,
  ENVOY_PARTIAL_BODY_HEADER,
  METADATA_NAMESPACE,
  PARTIAL_HEADER,
  SCAN_ID_HEADER,
  type ResolvedEnvoyOptions,
} from './envoy-options.js';
import { headerRecord, overwriteHeader } from './header-map.js';
import { llmApiOf, type LlmApi } from './llm-api-route.js';
import { outcomeMetadata, type ScanOutcome } from './scan-outcome.js';

/** google.rpc.Code values ext_authz understands. */
const RPC_OK = 0;
const RPC_PERMISSION_DENIED = 7;

export interface AuthzRequest {
  tenantId: string;
  policyId: string;
  /** x-request-id (Envoy's request id), for correlation. */
  requestId: string;
  path: string;
  api: LlmApi | undefined;
  kind: ContentKind;
  /** The body as text; undefined when there is none or it is not UTF-8 text. */
  body: string | undefined;
  /** The body is binary (not scannable as text). */
  binary: boolean;
  /** Envoy cut the body at max_request_bytes. */
  partial: boolean;
}

/**
 * Tenant: the route's context extension `tenant_id` (operator configuration) wins over the
 * tenant header (which a client could set unless the mesh strips it). Policy likewise
 * (`policy_id` / the policy header).
 */
export function authzRequestOf(request: CheckRequest, options: ResolvedEnvoyOptions): AuthzRequest {
  const attributes = request.attributes;
  const http = attributes?.request?.http;
  const headers = headerRecord(http?.headerMap, http?.headers ?? {});
  const extensions = attributes?.contextExtensions ?? {};
  const path = http?.path || headers[':path'] || '';
  const kind = contentKind(headers['content-type'], options.unknownContent === 'skip' ? 'binary' : 'text');
  let body: string | undefined;
  let binary = false;
  if (http && http.rawBody.length > 0) {
    body = bodyText(http.rawBody);
    binary = body === undefined;
  } else if (http && http.body !== '') {
    body = http.body;
  }
  if (kind === 'binary' && body !== undefined) {
    binary = true;
    body = undefined;
  }
  return {
    tenantId: extensions.tenant_id || headers[options.tenantHeader] || '',
    policyId: extensions.policy_id || headers[options.policyHeader] || '',
    requestId: http?.id || headers['x-request-id'] || '',
    path,
    api: llmApiOf(path),
    kind,
    body,
    binary,
    partial: (headers[ENVOY_PARTIAL_BODY_HEADER] ?? '').toLowerCase() === 'true',
  };
}

/** Allowed: headers for the upstream (overwriting any the client sent), scan id in dynamic metadata. */
export function checkAllowed(outcome: ScanOutcome): CheckResponse {
  const headers = [overwriteHeader(SCAN_ID_HEADER, outcome.scanId, 'string'), overwriteHeader(ACTION_HEADER, outcome.skipped ? 'SKIPPED' : outcome.action, 'string')];
  if (outcome.partial) headers.push(overwriteHeader(PARTIAL_HEADER, 'true', 'string'));
  return create(CheckResponseSchema, {
    status: { code: RPC_OK },
    httpResponse: { case: 'okResponse', value: { headers } },
    dynamicMetadata: { [METADATA_NAMESPACE]: outcomeMetadata(outcome) },
  });
}

/** Which HTTP status a refusal gets: 403 for a policy block, 413 for a truncated body. */
export function denialStatus(info: BlockInfo): StatusCode {
  return info.reason === 'unscannable' ? StatusCode.PayloadTooLarge : StatusCode.Forbidden;
}

/** Denied: a JSON body naming the threat types (never the content), scan id in header and metadata. */
export function checkDenied(info: BlockInfo, api: LlmApi | undefined, metadata: Record<string, unknown>): CheckResponse {
  return create(CheckResponseSchema, {
    status: { code: RPC_PERMISSION_DENIED, message: info.reason },
    httpResponse: {
      case: 'deniedResponse',
      value: {
        status: { code: denialStatus(info) },
        headers: [overwriteHeader('content-type', 'application/json', 'string'), overwriteHeader(SCAN_ID_HEADER, info.scanId, 'string')],
        body: blockedJson(info, api),
      },
    },
    dynamicMetadata: { [METADATA_NAMESPACE]: metadata as Record<string, string> },
  });
}
