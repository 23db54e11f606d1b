/**
 * Wire compatibility of proto/envoy with Envoy: messages Envoy sends are built here byte by
 * byte from Envoy's field numbers (test/envoy/proto-wire.ts, no generated code) and decoded
 * with the generated schemas; messages we answer are encoded with the generated schemas and
 * read back by field number.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { HeaderValueOption_HeaderAppendAction } from '../../gen/envoy/config/core/v3/base_pb.js';
import { ProcessingMode_BodySendMode } from '../../gen/envoy/extensions/filters/http/ext_proc/v3/processing_mode_pb.js';
import { CheckRequestSchema, CheckResponseSchema } from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import { ProcessingRequestSchema, ProcessingResponseSchema } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { decode, encode, field, mapEntry, path, text, type WireField } from './proto-wire.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('ext_authz CheckRequest (bytes as Envoy sends them)', () => {
  const httpRequest: WireField[] = [
    [1, 'req-17'],
    [2, 'POST'],
    [3, mapEntry(':path', '/v1/chat/completions')],
    [3, mapEntry('x-tenant-id', 'acme')],
    [4, '/v1/chat/completions?x=1'],
    [5, 'api.example'],
    [6, 'https'],
    [9, 2048n],
    [10, 'HTTP/2'],
    [11, '{"messages":[]}'],
    [12, utf8('raw-bytes')],
    [13, [[1, [[1, 'x-envoy-auth-partial-body'], [3, utf8('true')]]]]],
  ];
  const bytes = encode([
    [1, [
      [1, [[1, [[1, [[2, '10.0.0.7'], [3, 43122]]]]], [2, 'frontend']]],
      [4, [[2, httpRequest]]],
      [10, mapEntry('tenant', 'route-tenant')],
      [12, [[1, 'api.example']]],
    ]],
  ]);

  it('decodes every field by Envoy number', () => {
    const req = fromBinary(CheckRequestSchema, bytes);
    const http = req.attributes?.request?.http;
    expect(http).toMatchObject({
      id: 'req-17',
      method: 'POST',
      headers: { ':path': '/v1/chat/completions', 'x-tenant-id': 'acme' },
      path: '/v1/chat/completions?x=1',
      host: 'api.example',
      scheme: 'https',
      size: 2048n,
      protocol: 'HTTP/2',
      body: '{"messages":[]}',
    });
    expect(new TextDecoder().decode(http?.rawBody)).toBe('raw-bytes');
    expect(http?.headerMap?.headers[0]?.key).toBe('x-envoy-auth-partial-body');
    expect(new TextDecoder().decode(http?.headerMap?.headers[0]?.rawValue)).toBe('true');
    expect(req.attributes?.contextExtensions).toEqual({ tenant: 'route-tenant' });
    expect(req.attributes?.tlsSession?.sni).toBe('api.example');
    const address = req.attributes?.source?.address?.address;
    expect(address?.case).toBe('socketAddress');
    if (address?.case === 'socketAddress') {
      expect(address.value.address).toBe('10.0.0.7');
      expect(address.value.portSpecifier).toEqual({ case: 'portValue', value: 43122 });
    }
    expect(req.attributes?.source?.service).toBe('frontend');
  });

  it('a request size of -1 (unknown) survives as a negative int64', () => {
    const req = fromBinary(CheckRequestSchema, encode([[1, [[4, [[2, [[9, -1n]]]]]]]]));
    expect(req.attributes?.request?.http?.size).toBe(-1n);
  });
});

describe('ext_authz CheckResponse (our bytes, read by field number)', () => {
  it('denied: status 7, HTTP 403, headers, body and dynamic metadata at Envoy numbers', () => {
    const response = create(CheckResponseSchema, {
      status: { code: 7, message: 'blocked' },
      httpResponse: {
        case: 'deniedResponse',
        value: {
          status: { code: StatusCode.Forbidden },
          headers: [{ header: { key: 'content-type', value: 'application/json' }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD }],
          body: '{"error":"blocked"}',
        },
      },
      dynamicMetadata: { scan_id: 'abc' },
    });
    const bytes = toBinary(CheckResponseSchema, response);
    expect(field(path(bytes, 1), 1).int).toBe(7n);
    expect(text(field(path(bytes, 1), 2))).toBe('blocked');
    const denied = path(bytes, 2);
    expect(field(decode(field(denied, 1).bytes!), 1).int).toBe(403n);
    const option = decode(field(denied, 2).bytes!);
    expect(text(field(decode(field(option, 1).bytes!), 1))).toBe('content-type');
    expect(field(option, 3).int).toBe(2n);
    expect(text(field(denied, 3))).toBe('{"error":"blocked"}');
    // google.protobuf.Struct: fields (1) map entry: key (1), Value (2) with string_value (3).
    const entry = path(bytes, 4, 1);
    expect(text(field(entry, 1))).toBe('scan_id');
    expect(text(field(decode(field(entry, 2).bytes!), 3))).toBe('abc');
  });

  it('ok: headers for the upstream at OkHttpResponse.headers (2), oneof number 3', () => {
    const response = create(CheckResponseSchema, {
      status: { code: 0 },
      httpResponse: { case: 'okResponse', value: { headers: [{ header: { key: 'x-bulwark-action', value: 'ALLOW' } }] } },
    });
    const bytes = toBinary(CheckResponseSchema, response);
    expect(decode(bytes).map((f) => f.no)).toEqual([1, 3]);
    const header = path(bytes, 3, 2, 1);
    expect(text(field(header, 1))).toBe('x-bulwark-action');
    expect(text(field(header, 2))).toBe('ALLOW');
  });
});

describe('ext_proc ProcessingRequest (bytes as Envoy sends them)', () => {
  it('request headers with raw values, protocol config and observability flag', () => {
    const bytes = encode([
      [2, [[1, [[1, [[1, ':path'], [3, utf8('/v1/chat/completions')]]], [1, [[1, 'content-type'], [3, utf8('application/json')]]]]], [3, false]]],
      [10, false],
      [11, [[1, 2], [2, 4], [3, true]]],
    ]);
    const req = fromBinary(ProcessingRequestSchema, bytes);
    expect(req.request.case).toBe('requestHeaders');
    if (req.request.case !== 'requestHeaders') return;
    const headers = req.request.value.headers?.headers ?? [];
    expect(headers.map((h) => [h.key, new TextDecoder().decode(h.rawValue)])).toEqual([
      [':path', '/v1/chat/completions'],
      ['content-type', 'application/json'],
    ]);
    expect(req.protocolConfig?.requestBodyMode).toBe(ProcessingMode_BodySendMode.BUFFERED);
    expect(req.protocolConfig?.responseBodyMode).toBe(ProcessingMode_BodySendMode.FULL_DUPLEX_STREAMED);
    expect(req.protocolConfig?.sendBodyWithoutWaitingForHeaderResponse).toBe(true);
  });

  it('response body chunk; fields of newer Envoy versions (GRPC mode) are skipped', () => {
    const bytes = encode([
      [5, [[1, utf8('data: {"x":1}\n\n')], [2, true], [3, true], [4, false]]],
      [10, true],
    ]);
    const req = fromBinary(ProcessingRequestSchema, bytes);
    expect(req.request.case).toBe('responseBody');
    if (req.request.case !== 'responseBody') return;
    expect(new TextDecoder().decode(req.request.value.body)).toBe('data: {"x":1}\n\n');
    expect(req.request.value.endOfStream).toBe(true);
    expect(req.observabilityMode).toBe(true);
  });

  it('each oneof member at its Envoy number', () => {
    const cases: Array<[number, string]> = [
      [2, 'requestHeaders'],
      [3, 'responseHeaders'],
      [4, 'requestBody'],
      [5, 'responseBody'],
      [6, 'requestTrailers'],
      [7, 'responseTrailers'],
    ];
    for (const [no, name] of cases) {
      expect(fromBinary(ProcessingRequestSchema, encode([[no, []]])).request.case).toBe(name);
    }
  });
});

describe('ext_proc ProcessingResponse (our bytes, read by field number)', () => {
  it('immediate response: status, headers with raw_value, body, details', () => {
    const response = create(ProcessingResponseSchema, {
      response: {
        case: 'immediateResponse',
        value: {
          status: { code: StatusCode.Forbidden },
          headers: { setHeaders: [{ header: { key: 'content-type', rawValue: utf8('application/json') } }] },
          body: utf8('{"error":{}}'),
          details: 'bulwark_blocked',
        },
      },
    });
    const bytes = toBinary(ProcessingResponseSchema, response);
    const immediate = path(bytes, 7);
    expect(field(decode(field(immediate, 1).bytes!), 1).int).toBe(403n);
    const header = path(field(immediate, 2).bytes!, 1, 1);
    expect(text(field(header, 1))).toBe('content-type');
    expect(text(field(header, 3))).toBe('application/json');
    expect(text(field(immediate, 3))).toBe('{"error":{}}');
    expect(text(field(immediate, 5))).toBe('bulwark_blocked');
  });

  it('body mutations: replace (1), clear (2), streamed chunk (3) under request_body (3) / response_body (4)', () => {
    const replace = toBinary(ProcessingResponseSchema, create(ProcessingResponseSchema, {
      response: { case: 'requestBody', value: { response: { bodyMutation: { mutation: { case: 'body', value: utf8('{}') } } } } },
    }));
    expect(text(field(path(replace, 3, 1, 3), 1))).toBe('{}');

    const cleared = toBinary(ProcessingResponseSchema, create(ProcessingResponseSchema, {
      response: { case: 'responseBody', value: { response: { bodyMutation: { mutation: { case: 'clearBody', value: true } } } } },
    }));
    expect(field(path(cleared, 4, 1, 3), 2).int).toBe(1n);

    const streamed = toBinary(ProcessingResponseSchema, create(ProcessingResponseSchema, {
      response: {
        case: 'responseBody',
        value: { response: { bodyMutation: { mutation: { case: 'streamedResponse', value: { body: utf8('abc'), endOfStream: true } } } } },
      },
    }));
    const chunk = path(streamed, 4, 1, 3, 3);
    expect(text(field(chunk, 1))).toBe('abc');
    expect(field(chunk, 2).int).toBe(1n);
  });

  it('header mutation, dynamic metadata and mode override at Envoy numbers', () => {
    const bytes = toBinary(ProcessingResponseSchema, create(ProcessingResponseSchema, {
      response: {
        case: 'requestHeaders',
        value: { response: { headerMutation: { setHeaders: [{ header: { key: 'x-bulwark-scan-id', rawValue: utf8('s1') } }], removeHeaders: ['content-length'] } } },
      },
      dynamicMetadata: { bulwark: { scan_id: 's1' } },
      modeOverride: { responseBodyMode: ProcessingMode_BodySendMode.STREAMED },
    }));
    const mutation = path(bytes, 1, 1, 2);
    expect(text(field(path(field(mutation, 1).bytes!, 1), 1))).toBe('x-bulwark-scan-id');
    expect(text(field(mutation, 2))).toBe('content-length');
    expect(field(path(bytes, 9), 4).int).toBe(1n);
    expect(text(field(path(bytes, 8, 1), 1))).toBe('bulwark');
  });
});
