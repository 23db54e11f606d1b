/**
 * ext_proc answers as plain functions: one builder per kind of ProcessingResponse the session
 * sends. Header values go in `raw_value`, which is where Envoy's ext_proc reads them.
 */
import { create, type JsonObject, type MessageInitShape } from '@bufbuild/protobuf';
import { ProcessingResponseSchema, type CommonResponseSchema, type ProcessingResponse } from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import type { StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { overwriteHeader } from './header-map.js';

const encoder = new TextEncoder();

export interface HeaderChanges {
  set?: Array<[key: string, value: string]>;
  remove?: string[];
}

export type BodyEdit =
  /** Pass the chunk on unchanged. */
  | { kind: 'unchanged' }
  /** Replace the chunk (or whole buffered body) with these bytes ("" clears it). */
  | { kind: 'replace'; body: string }
  /** Full-duplex: send this chunk downstream/upstream; `end` after the last one. */
  | { kind: 'duplex'; body: string; end: boolean };

type CommonInit = MessageInitShape<typeof CommonResponseSchema>;

function common(headers: HeaderChanges | undefined, edit: BodyEdit = { kind: 'unchanged' }): CommonInit {
  const out: CommonInit = {};
  const set = headers?.set ?? [];
  const remove = headers?.remove ?? [];
  if (set.length > 0 || remove.length > 0) {
    out.headerMutation = { setHeaders: set.map(([k, v]) => overwriteHeader(k, v, 'raw')), removeHeaders: remove };
  }
  if (edit.kind === 'replace') {
    out.bodyMutation = { mutation: edit.body === '' ? { case: 'clearBody', value: true } : { case: 'body', value: encoder.encode(edit.body) } };
  } else if (edit.kind === 'duplex') {
    out.bodyMutation = { mutation: { case: 'streamedResponse', value: { body: encoder.encode(edit.body), endOfStream: edit.end } } };
  }
  return out;
}

function withMetadata(response: ProcessingResponse, metadata: JsonObject | undefined): ProcessingResponse {
  if (metadata) response.dynamicMetadata = metadata;
  return response;
}

export function headersAnswer(phase: 'request' | 'response', headers?: HeaderChanges, metadata?: JsonObject): ProcessingResponse {
  return withMetadata(
    create(ProcessingResponseSchema, {
      response: { case: phase === 'request' ? 'requestHeaders' : 'responseHeaders', value: { response: common(headers) } },
    }),
    metadata,
  );
}

export function bodyAnswer(phase: 'request' | 'response', edit: BodyEdit, headers?: HeaderChanges, metadata?: JsonObject): ProcessingResponse {
  return withMetadata(
    create(ProcessingResponseSchema, {
      response: { case: phase === 'request' ? 'requestBody' : 'responseBody', value: { response: common(headers, edit) } },
    }),
    metadata,
  );
}

export function trailersAnswer(phase: 'request' | 'response'): ProcessingResponse {
  return create(ProcessingResponseSchema, {
    response: { case: phase === 'request' ? 'requestTrailers' : 'responseTrailers', value: {} },
  });
}

/** A local reply (403 / 413 / 502) with a JSON body; `details` shows in %RESPONSE_CODE_DETAILS%. */
export function immediateAnswer(status: StatusCode, json: string, details: string, extraHeaders: Array<[string, string]> = [], metadata?: JsonObject): ProcessingResponse {
  return withMetadata(
    create(ProcessingResponseSchema, {
      response: {
        case: 'immediateResponse',
        value: {
          status: { code: status },
          headers: { setHeaders: [['content-type', 'application/json'] as [string, string], ...extraHeaders].map(([k, v]) => overwriteHeader(k, v, 'raw')) },
          body: encoder.encode(json),
          details,
        },
      },
    }),
    metadata,
  );
}
