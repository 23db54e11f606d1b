/** Small pure pieces: content kinds, header records, joined segments, block bodies. */
import { describe, expect, it } from 'vitest';
import { blockedJson, sseBlockedTail, textBlockedTail, threatTypesOf } from '../../src/envoy/blocked-bodies.js';
import { bodyText, contentKind, isEncoded } from '../../src/envoy/content-kind.js';
import { resolveEnvoyOptions, refusesUnscannable } from '../../src/envoy/envoy-options.js';
import { envoyOptionsFromEnv } from '../../src/envoy/envoy-env.js';
import { headerRecord, mediaType } from '../../src/envoy/header-map.js';
import { joinSegments, SEGMENT_SEPARATOR, splitJoined } from '../../src/envoy/joined-segments.js';
import { create } from '@bufbuild/protobuf';
import { HeaderMapSchema } from '../../gen/envoy/config/core/v3/base_pb.js';

describe('contentKind', () => {
  it.each([
    ['text/event-stream; charset=utf-8', 'sse'],
    ['application/json', 'json'],
    ['application/vnd.api+json', 'json'],
    ['text/plain', 'text'],
    ['application/x-www-form-urlencoded', 'text'],
    ['image/png', 'binary'],
    ['application/octet-stream', 'binary'],
    ['application/grpc', 'binary'],
    ['multipart/form-data; boundary=x', 'binary'],
    ['', 'text'],
    ['application/x-unknown', 'text'],
  ])('%s → %s', (type, kind) => expect(contentKind(type)).toBe(kind));

  it('unknown types can be skipped instead', () => {
    expect(contentKind('application/x-unknown', 'binary')).toBe('binary');
    expect(contentKind(undefined, 'binary')).toBe('binary');
    expect(contentKind('text/plain', 'binary')).toBe('text');
  });

  it('bodyText: UTF-8 text yes; invalid UTF-8 or NUL bytes no', () => {
    expect(bodyText(new TextEncoder().encode('ünïcode ✓'))).toBe('ünïcode ✓');
    expect(bodyText(Uint8Array.from([0xc3, 0x28]))).toBeUndefined();
    expect(bodyText(Uint8Array.from([0x61, 0x00, 0x62]))).toBeUndefined();
  });

  it('isEncoded: gzip/br yes, identity/absent no', () => {
    expect(isEncoded('gzip')).toBe(true);
    expect(isEncoded(' BR ')).toBe(true);
    expect(isEncoded('identity')).toBe(false);
    expect(isEncoded(undefined)).toBe(false);
  });
});

describe('headerRecord', () => {
  it('lower-cases keys, prefers raw_value, joins repeated keys with ","', () => {
    const map = create(HeaderMapSchema, {
      headers: [
        { key: 'X-Tenant-Id', rawValue: new TextEncoder().encode('acme') },
        { key: 'accept', value: 'a/b' },
        { key: 'Accept', rawValue: new TextEncoder().encode('c/d') },
      ],
    });
    expect(headerRecord(map)).toEqual({ 'x-tenant-id': 'acme', accept: 'a/b,c/d' });
    expect(mediaType('Text/Event-Stream; charset=UTF-8')).toBe('text/event-stream');
  });
});

describe('joined segments', () => {
  it('split gives back the parts; a part containing the separator makes the split fail', () => {
    const parts = ['one', '', 'three\n\nwith blank lines'];
    expect(splitJoined(joinSegments(parts), 3)).toEqual(parts);
    expect(splitJoined(joinSegments(['a', `b${SEGMENT_SEPARATOR}c`]), 2)).toBeUndefined();
  });
});

describe('block bodies and options', () => {
  const info = { reason: 'blocked' as const, threatTypes: ['PII', 'SECRET'], scanId: 'id-1' };

  it('OpenAI-shaped JSON by default; SSE tails per API end with the API end marker', () => {
    expect(JSON.parse(blockedJson(info)).error.threat_types).toEqual(['PII', 'SECRET']);
    expect(sseBlockedTail(info, 'openai.chat').endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sseBlockedTail(info, 'anthropic.messages')).toMatch(/^event: error\ndata: \{"type":"error"/);
    expect(sseBlockedTail(info, 'openai.responses')).toMatch(/^event: error\ndata: \{"type":"error","code":"bulwark_blocked"/);
    expect(textBlockedTail(info)).toContain('scan_id=id-1');
    expect(threatTypesOf([{ type: 'PII' }, { type: 'PII' }, { type: 'SECRET' }])).toEqual(['PII', 'SECRET']);
  });

  it('refusesUnscannable: fail-closed always, scan-partial never, policy follows the fail mode', () => {
    expect(refusesUnscannable('fail-closed', 'open')).toBe(true);
    expect(refusesUnscannable('scan-partial', 'closed')).toBe(false);
    expect(refusesUnscannable('policy', 'closed')).toBe(true);
    expect(refusesUnscannable('policy', 'open')).toBe(false);
  });

  it('options from the environment: defaults, values, and a clear error for a bad one', () => {
    expect(resolveEnvoyOptions(envoyOptionsFromEnv({}))).toEqual({ tenantHeader: 'x-tenant-id', policyHeader: 'x-bulwark-policy-id', partialBody: 'policy', unknownContent: 'text', authzRedact: 'allow' });
    expect(envoyOptionsFromEnv({ BULWARK_TENANT_HEADER: 'X-Org', BULWARK_PARTIAL_BODY: 'fail-closed', BULWARK_MAX_BODY_BYTES: '1024' })).toEqual({ tenantHeader: 'X-Org', partialBody: 'fail-closed', maxBodyBytes: 1024 });
    expect(() => envoyOptionsFromEnv({ BULWARK_PARTIAL_BODY: 'maybe' })).toThrow(/BULWARK_PARTIAL_BODY must be one of/);
    expect(() => envoyOptionsFromEnv({ BULWARK_MAX_BODY_BYTES: '-1' })).toThrow(/BULWARK_MAX_BODY_BYTES/);
  });
});
