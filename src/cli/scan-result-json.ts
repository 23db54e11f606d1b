/**
 * A ScanResult in the proto's JSON form (proto field names, enum value names), so that
 * `bulwark scan --json` and `--jsonl` print what a ScanResponse would print over Connect
 * JSON and `fromJson(ScanResponseSchema, …)` reads it back. Built by hand rather than via
 * `create` + `toJson` because `--jsonl` serialises tens of thousands of these.
 */
import type { ScanResult, ThreatResult } from '../engine/types.js';

/** One threat as proto JSON. Never carries the matched text (the engine's result does not either). */
export interface ThreatJson {
  type: string;
  severity: string;
  confidence: number;
  detector: string;
  rule_id: string;
  spans: Array<{ start: number; end: number }>;
  entity_type: string;
  owasp_id: string;
  atlas_technique: string;
  description: string;
  action: string;
}

/** The subset of ScanResponse the CLI prints. */
export interface ScanResultJson {
  action: string;
  allowed: boolean;
  threats: ThreatJson[];
  redacted_content: string;
  latency_ms: number;
  policy_version: string;
}

export function threatToJson(t: ThreatResult): ThreatJson {
  return {
    type: `THREAT_TYPE_${t.type}`,
    severity: `SEVERITY_${t.severity}`,
    confidence: t.confidence,
    detector: t.detector,
    rule_id: t.ruleId,
    spans: t.spans.map((s) => ({ start: s.start, end: s.end })),
    entity_type: t.entityType,
    owasp_id: t.owaspId,
    atlas_technique: t.atlasTechnique,
    description: t.description,
    action: `ACTION_${t.action}`,
  };
}

/** Converts an engine result; latency rounded to microseconds (more digits are noise). */
export function scanResultToJson(r: ScanResult): ScanResultJson {
  return {
    action: `ACTION_${r.action}`,
    allowed: r.action !== 'BLOCK',
    threats: r.threats.map(threatToJson),
    redacted_content: r.action === 'REDACT' ? (r.redactedContent ?? '') : '',
    latency_ms: Math.round(r.latencyMs * 1000) / 1000,
    policy_version: r.policyVersion,
  };
}
