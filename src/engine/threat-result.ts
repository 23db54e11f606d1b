/**
 * Decided findings → the API's threats (code point spans, positional order) and the items to
 * redact.
 */
import type { TextSpan } from '../detectors/types.js';
import type { RedactionItem } from '../redaction/redact.js';
import type { ThreatResult } from './types.js';
import type { DecidedFinding } from './run-detectors.js';

/** Where a finding starts; a finding about the whole content (no spans) starts at 0. */
export function firstStart(decided: DecidedFinding): number {
  let start = Number.POSITIVE_INFINITY;
  for (const span of decided.finding.spans) start = Math.min(start, span.start);
  return Number.isFinite(start) ? start : 0;
}

/** Ordered by first span start; ties keep detector order (Array.prototype.sort is stable). */
export function inContentOrder(decided: readonly DecidedFinding[]): DecidedFinding[] {
  return [...decided].sort((a, b) => firstStart(a) - firstStart(b));
}

/** One threat for the API; `mapSpan` converts a UTF-16 span to the API's code point span. */
export function toThreatResult(decided: DecidedFinding, mapSpan: (span: TextSpan) => TextSpan): ThreatResult {
  const f = decided.finding;
  return {
    type: f.type,
    severity: f.severity,
    confidence: f.confidence,
    detector: f.detector,
    ruleId: f.ruleId,
    spans: [...f.spans].sort((a, b) => a.start - b.start || a.end - b.end).map(mapSpan),
    entityType: f.entityType ?? '',
    owaspId: f.owaspId,
    atlasTechnique: f.atlasTechnique,
    description: f.description,
    action: decided.action,
  };
}

/**
 * Every span of every REDACT finding, clipped to [from, to) and shifted so `from` is 0. The
 * operator is chosen by entity type (PII entity, secret kind), else by threat type (so
 * `operators: { CUSTOM_RULE: ... }` works). A REDACT finding without spans is about the whole
 * content, so the whole region is redacted.
 */
export function redactionItems(decided: readonly DecidedFinding[], from: number, to: number): RedactionItem[] {
  const items: RedactionItem[] = [];
  for (const { finding, action } of decided) {
    if (action !== 'REDACT') continue;
    const entityType = finding.entityType ?? finding.type;
    const spans = finding.spans.length > 0 ? finding.spans : [{ start: from, end: to }];
    for (const span of spans) {
      const start = Math.max(span.start, from);
      const end = Math.min(span.end, to);
      if (end > start) items.push({ start: start - from, end: end - from, entityType });
    }
  }
  return items;
}
