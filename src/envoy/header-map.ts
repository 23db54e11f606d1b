/**
 * Envoy header lists ↔ plain records. Envoy sends header values in `raw_value` (ext_proc, and
 * ext_authz with encode_raw_headers) or `value`; keys are lower-case already but are
 * lower-cased again so a hand-built message cannot dodge a lookup.
 */
import { create } from '@bufbuild/protobuf';
import {
  HeaderValueOption_HeaderAppendAction,
  HeaderValueOptionSchema,
  type HeaderMap,
  type HeaderValueOption,
} from '../../gen/envoy/config/core/v3/base_pb.js';

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Lower-cased key → value; repeated keys are joined with "," as HTTP allows. */
export function headerRecord(map: HeaderMap | undefined, merged: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(merged)) out[key.toLowerCase()] = value;
  for (const h of map?.headers ?? []) {
    const key = h.key.toLowerCase();
    const value = h.rawValue.length > 0 ? utf8.decode(h.rawValue) : h.value;
    out[key] = Object.hasOwn(out, key) ? `${out[key]},${value}` : value;
  }
  return out;
}

/**
 * A header that replaces any value the client sent (a client must not be able to pre-set
 * `x-bulwark-action: ALLOW`). ext_proc reads `raw_value`; ext_authz reads `value`.
 */
export function overwriteHeader(key: string, value: string, encoding: 'raw' | 'string'): HeaderValueOption {
  return create(HeaderValueOptionSchema, {
    header: encoding === 'raw' ? { key, rawValue: encoder.encode(value) } : { key, value },
    appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
  });
}

/** The media type of a Content-Type value: lower-case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}
