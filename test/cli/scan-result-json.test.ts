import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ScanResponseSchema } from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action, Severity, ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import type { ScanResult } from '../../src/engine/types.js';
import { scanResultToJson } from '../../src/cli/scan-result-json.js';

const redacted: ScanResult = {
  action: 'REDACT',
  threats: [
    {
      type: 'PII',
      severity: 'HIGH',
      confidence: 0.9,
      detector: 'pii',
      ruleId: 'EMAIL_ADDRESS',
      spans: [{ start: 8, end: 24 }],
      entityType: 'EMAIL_ADDRESS',
      owaspId: 'LLM02',
      atlasTechnique: '',
      description: 'An email address',
      action: 'REDACT',
    },
  ],
  redactedContent: 'Mail me <EMAIL_ADDRESS>',
  policyId: 'default',
  policyVersion: 'sha256:abc',
  latencyMs: 0.123456,
};

describe('scanResultToJson', () => {
  it('is the proto JSON form: ScanResponse parses it back with the same values', () => {
    const json = scanResultToJson(redacted);
    const msg = fromJson(ScanResponseSchema, json as unknown as JsonValue);
    expect(msg.action).toBe(Action.REDACT);
    expect(msg.allowed).toBe(true);
    expect(msg.redactedContent).toBe('Mail me <EMAIL_ADDRESS>');
    expect(msg.policyVersion).toBe('sha256:abc');
    expect(msg.threats[0]?.type).toBe(ThreatType.PII);
    expect(msg.threats[0]?.severity).toBe(Severity.HIGH);
    expect(msg.threats[0]?.ruleId).toBe('EMAIL_ADDRESS');
    expect(msg.threats[0]?.spans.map((s) => [s.start, s.end])).toEqual([[8, 24]]);
    expect(json.latency_ms).toBe(0.123);
  });

  it('sets allowed=false only for BLOCK and leaves redacted_content empty unless REDACT', () => {
    const blocked = scanResultToJson({ ...redacted, action: 'BLOCK' });
    expect(blocked.allowed).toBe(false);
    expect(blocked.action).toBe('ACTION_BLOCK');
    expect(blocked.redacted_content).toBe('');
    const warned = scanResultToJson({ ...redacted, action: 'WARN' });
    expect(warned.allowed).toBe(true);
    expect(warned.redacted_content).toBe('');
  });
});
