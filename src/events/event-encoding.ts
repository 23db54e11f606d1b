/**
 * SecurityEvent → outbox message: topic by event type, key = tenant id (a tenant's events stay
 * in one partition, in order), headers, payload bytes.
 *
 * Payload formats: 'json' (default) is protobuf-es `toJson` — the canonical proto3 JSON form
 * (lowerCamelCase names, enum names as strings, Timestamp as RFC 3339, 64-bit ints as
 * strings), readable by SIEM pipelines without a schema; 'protobuf' is the binary message,
 * smaller, for consumers that have the schema. The `content-type` header says which.
 */
import { toBinary, toJsonString } from '@bufbuild/protobuf';
import { SecurityEventSchema, SecurityEventType, type SecurityEvent } from '../../gen/bulwark/v1/security_event_pb.js';
import type { OutboxMessage } from './outbox/outbox.js';

export type EventPayloadFormat = 'json' | 'protobuf';

export const CONTENT_TYPES: Record<EventPayloadFormat, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

/** Topic names per event type, after "<prefix>." (prefix default "bulwark"). */
export const TOPIC_SUFFIXES: Record<Exclude<SecurityEventType, SecurityEventType.UNSPECIFIED>, string> = {
  [SecurityEventType.THREAT_DETECTED]: 'threat.detected',
  [SecurityEventType.SCAN_COMPLETED]: 'scan.completed',
  [SecurityEventType.ACTION_DENIED]: 'action.denied',
  [SecurityEventType.POLICY_CHANGED]: 'policy.changed',
};

export const DEFAULT_TOPIC_PREFIX = 'bulwark';

/** "<prefix>.<name>", or just the name for an empty prefix. */
export function topicOf(type: SecurityEventType, prefix: string): string {
  const name = TOPIC_SUFFIXES[type as keyof typeof TOPIC_SUFFIXES] ?? 'unknown';
  return prefix ? `${prefix}.${name}` : name;
}

/** The `event-type` header: the enum's name without its prefix, e.g. "THREAT_DETECTED". */
export function eventTypeName(type: SecurityEventType): string {
  return SecurityEventType[type] ?? 'UNSPECIFIED';
}

export function eventMessage(event: SecurityEvent, options: { topicPrefix: string; format: EventPayloadFormat }): OutboxMessage {
  const payload = options.format === 'protobuf' ? toBinary(SecurityEventSchema, event) : Buffer.from(toJsonString(SecurityEventSchema, event), 'utf8');
  return {
    destination: topicOf(event.type, options.topicPrefix),
    key: event.tenantId,
    headers: {
      'event-type': eventTypeName(event.type),
      'event-id': event.eventId,
      'correlation-id': event.requestId,
      'content-type': CONTENT_TYPES[options.format],
    },
    payload,
  };
}
