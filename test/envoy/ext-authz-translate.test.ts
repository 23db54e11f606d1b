/** ext_authz translation, table-tested without a server. */
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { HeaderValueOption_HeaderAppendAction } from '../../gen/envoy/config/core/v3/base_pb.js';
import { CheckRequestSchema } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { resolveEnvoyOptions } from '../../src/envoy/envoy-options.js';
import { authzRequestOf, checkAllowed, checkDenied } from '../../src/envoy/ext-authz-translate.js';
import type { ScanOutcome } from '../../src/envoy/scan-outcome.js';

const options = resolveEnvoyOptions({});
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function request(http: Record<string, unknown>, contextExtensions: Record<string, string> = {}) {
  return create(CheckRequestSchema, { attributes: { request: { http }, contextExtensions } });
}

describe('authzRequestOf', () => {
  it('reads path, tenant, policy, request id and the string body', () => {
    const r = authzRequestOf(
      request({ id: 'rid', path: '/v1/chat/completions?x=1', headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme', 'x-bulwark-policy-id': 'strict' }, body: '{"messages":[]}' }),
      options,
    );
    expect(r).toMatchObject({ tenantId: 'acme', policyId: 'strict', requestId: 'rid', api: 'openai.chat', kind: 'json', body: '{"messages":[]}', binary: false, partial: false });
  });

  it("the route's context extensions win over headers a client could set", () => {
    const r = authzRequestOf(request({ headers: { 'x-tenant-id': 'spoofed', 'x-bulwark-policy-id': 'lenient' } }, { tenant_id: 'acme', policy_id: 'strict' }), options);
    expect([r.tenantId, r.policyId]).toEqual(['acme', 'strict']);
  });

  it('a configurable tenant header; raw header_map values count too', () => {
    const custom = resolveEnvoyOptions({ tenantHeader: 'X-Org' });
    const r = authzRequestOf(request({ headerMap: { headers: [{ key: 'x-org', rawValue: utf8('globex') }] } }), custom);
    expect(r.tenantId).toBe('globex');
  });

  it('x-envoy-auth-partial-body: true marks the body partial (map or raw header list); other values do not', () => {
    expect(authzRequestOf(request({ headers: { 'x-envoy-auth-partial-body': 'true' }, body: 'x' }), options).partial).toBe(true);
    expect(authzRequestOf(request({ headerMap: { headers: [{ key: 'x-envoy-auth-partial-body', rawValue: utf8('TRUE') }] }, body: 'x' }), options).partial).toBe(true);
    expect(authzRequestOf(request({ headers: { 'x-envoy-auth-partial-body': 'false' }, body: 'x' }), options).partial).toBe(false);
  });

  it('raw_body (pack_as_bytes): UTF-8 text is read; bytes that are not UTF-8, or binary types, are binary', () => {
    expect(authzRequestOf(request({ rawBody: utf8('héllo') }), options)).toMatchObject({ body: 'héllo', binary: false });
    expect(authzRequestOf(request({ rawBody: Uint8Array.from([0xff, 0xfe, 0x00]) }), options)).toMatchObject({ body: undefined, binary: true });
    expect(authzRequestOf(request({ headers: { 'content-type': 'image/png' }, body: 'PNG...' }), options)).toMatchObject({ body: undefined, binary: true });
  });

  it('unknownContent: skip treats an unrecognised type as binary; the default scans it as text', () => {
    const http = { headers: { 'content-type': 'application/x-custom' }, body: 'words' };
    expect(authzRequestOf(request(http), options)).toMatchObject({ kind: 'text', body: 'words' });
    expect(authzRequestOf(request(http), resolveEnvoyOptions({ unknownContent: 'skip' }))).toMatchObject({ kind: 'binary', binary: true });
  });
});

const outcome: ScanOutcome = { action: 'REDACT', threatTypes: ['PII'], scanId: 'scan-1', policyVersion: 'v1', partial: true, skipped: false };

describe('checkAllowed / checkDenied', () => {
  it('allowed: OK status, headers that overwrite client-sent ones, scan id in dynamic metadata', () => {
    const r = checkAllowed(outcome);
    expect(r.status?.code).toBe(0);
    expect(r.httpResponse.case).toBe('okResponse');
    const headers = r.httpResponse.case === 'okResponse' ? r.httpResponse.value.headers : [];
    expect(headers.map((h) => [h.header?.key, h.header?.value])).toEqual([
      ['x-bulwark-scan-id', 'scan-1'],
      ['x-bulwark-action', 'REDACT'],
      ['x-bulwark-partial', 'true'],
    ]);
    for (const h of headers) expect(h.appendAction).toBe(HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
    expect(r.dynamicMetadata).toMatchObject({ bulwark: { scan_id: 'scan-1', action: 'REDACT', threat_types: ['PII'], partial: true } });
  });

  it('denied: PERMISSION_DENIED, HTTP 403 and a JSON body that names threat types, not content', () => {
    const r = checkDenied({ reason: 'blocked', threatTypes: ['PROMPT_INJECTION'], scanId: 'scan-2' }, 'openai.chat', { scan_id: 'scan-2' });
    expect(r.status?.code).toBe(7);
    expect(r.httpResponse.case).toBe('deniedResponse');
    if (r.httpResponse.case !== 'deniedResponse') return;
    expect(r.httpResponse.value.status?.code).toBe(StatusCode.Forbidden);
    expect(JSON.parse(r.httpResponse.value.body)).toEqual({
      error: { type: 'bulwark_blocked', code: 'bulwark_blocked', message: expect.any(String), threat_types: ['PROMPT_INJECTION'], scan_id: 'scan-2' },
    });
    expect(r.httpResponse.value.headers.find((h) => h.header?.key === 'content-type')?.header?.value).toBe('application/json');
    expect(r.dynamicMetadata).toEqual({ bulwark: { scan_id: 'scan-2' } });
  });

  it('an unscannable (truncated) body is 413; Anthropic callers get Anthropic-shaped errors', () => {
    const r = checkDenied({ reason: 'unscannable', threatTypes: [], scanId: 's' }, 'anthropic.messages', {});
    if (r.httpResponse.case !== 'deniedResponse') throw new Error('not denied');
    expect(r.httpResponse.value.status?.code).toBe(StatusCode.PayloadTooLarge);
    expect(JSON.parse(r.httpResponse.value.body)).toMatchObject({ type: 'error', error: { type: 'bulwark_unscannable' } });
  });
});
