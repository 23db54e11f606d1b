/**
 * The human-readable form of a scan result for `bulwark scan`. Shows where threats are
 * (code point spans), never what matched: a terminal's scrollback and CI logs are logs too.
 */
import type { ScanResult, ThreatResult } from '../engine/types.js';

function formatThreat(t: ThreatResult): string {
  const spans = t.spans.length === 0 ? 'whole content' : t.spans.map((s) => `[${s.start},${s.end})`).join(' ');
  const parts = [
    t.type,
    `severity=${t.severity}`,
    `confidence=${t.confidence.toFixed(2)}`,
    `rule=${t.ruleId}`,
    `spans=${spans}`,
  ];
  if (t.entityType) parts.push(`entity=${t.entityType}`);
  parts.push(`action=${t.action}`);
  return `  ${parts.join('  ')}`;
}

/** Lines: the action, one per threat, then the redacted content when the action is REDACT. */
export function formatScanResult(r: ScanResult): string {
  const verdict = r.action === 'BLOCK' ? 'blocked' : 'allowed';
  const lines = [
    `action: ${r.action} (${verdict}; policy ${r.policyId}@${r.policyVersion}; ${r.latencyMs.toFixed(3)} ms)`,
    `threats: ${r.threats.length}`,
    ...r.threats.map(formatThreat),
  ];
  if (r.action === 'REDACT' && r.redactedContent !== undefined) {
    lines.push('redacted content:', r.redactedContent);
  }
  return lines.join('\n') + '\n';
}
