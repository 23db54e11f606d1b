/**
 * The trace an Envoy ext_authz check belongs to is the HTTP request's, whose headers the
 * CheckRequest carries (Envoy's own span for the ext_authz call, in the gRPC metadata, is the
 * fallback when the request has none).
 */
import type { CheckRequest } from '../../../gen/envoy/service/auth/v3/external_auth_pb.js';
import { headerRecord } from '../../envoy/header-map.js';
import type { HeaderLookup } from './incoming-trace-context.js';

export function checkRequestHeaders(request: CheckRequest): HeaderLookup {
  let headers: Record<string, string> | undefined;
  return (name) => {
    const http = request.attributes?.request?.http;
    headers ??= headerRecord(http?.headerMap, http?.headers ?? {});
    return headers[name];
  };
}
