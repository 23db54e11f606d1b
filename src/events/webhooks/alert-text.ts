/**
 * The human-readable pieces shared by the chat formats (Slack, Teams): a title, labelled facts
 * and one line per threat kind, for one alert or a coalesced summary. Ids that callers choose
 * (agent, request) are untrusted: clipped and stripped of control characters here; each
 * format escapes its own markup.
 */
import { SEVERITY_RANK, highestSeverity, type AlertEvent } from './alert-event.js';

const MAX_FIELD = 128;
/** Lines beyond this are summarised as "… and N more" (chat messages have size limits). */
export const MAX_LINES = 10;

/** Clipped, control characters removed: safe to put in a message after format escaping. */
export function clean(value: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const s = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD - 1)}…` : s;
}

export function alertTitle(alert: AlertEvent): string {
  if (alert.kind === 'ACTION_DENIED') {
    const verb = alert.decision === 'REQUIRE_APPROVAL' ? 'held for approval' : 'denied';
    return `Bulwark: agent action ${verb} (${clean(alert.reasonCode || alert.decision)})`;
  }
  const severity = highestSeverity(alert) ?? 'UNKNOWN';
  const types = [...new Set(alert.threats.map((t) => t.type))].slice(0, 3).join(', ');
  return `Bulwark: ${severity} ${types} → ${clean(alert.decision)}`;
}

/** Label/value pairs, empty values left out. */
export function alertFacts(alert: AlertEvent): Array<[string, string]> {
  const facts: Array<[string, string]> = [
    ['Tenant', alert.tenantId],
    ['Decision', alert.decision],
    ['Direction', alert.direction],
    ['Agent', alert.agentId],
    ['Action', [alert.actionType, alert.toolName].filter(Boolean).join(' ')],
    ['Rule', alert.ruleId],
    ['Request', alert.requestId],
    ['Policy version', alert.policyVersion],
    ['Sidecar', alert.sidecarId],
    ['Time', alert.time],
    ['Event', alert.eventId],
  ];
  return facts.filter(([, v]) => v !== '').map(([k, v]) => [k, clean(v)]);
}

/** "HIGH SECRET aws-access-key (AWS_ACCESS_KEY) ×2", most severe first. */
export function threatLines(alert: AlertEvent): string[] {
  const sorted = [...alert.threats].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const lines = sorted.map((t) => `${t.severity} ${clean(t.type)} ${clean(t.ruleId)}${t.entityType ? ` (${clean(t.entityType)})` : ''} ×${t.count}`);
  return capLines(lines);
}

function capLines(lines: string[]): string[] {
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), `… and ${lines.length - MAX_LINES + 1} more`];
}

export function summaryTitle(alerts: readonly AlertEvent[]): string {
  return `Bulwark: ${alerts.length} alerts (coalesced by the rate limit)`;
}

/** Counts by tenant, by kind/severity and by threat type, plus the time range. */
export function summaryLines(alerts: readonly AlertEvent[]): string[] {
  const count = (key: (a: AlertEvent) => string[]): string =>
    [...tally(alerts.flatMap(key))].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${clean(k)} ${n}`).join(', ');
  const times = alerts.map((a) => a.time).sort();
  return capLines([
    `Tenants: ${count((a) => [a.tenantId])}`,
    `Alerts: ${count((a) => [a.kind === 'ACTION_DENIED' ? 'ACTION_DENIED' : `${highestSeverity(a) ?? 'UNKNOWN'}`])}`,
    `Threat types: ${count((a) => [...new Set(a.threats.map((t) => t.type))]) || 'none'}`,
    `From ${times[0] ?? ''} to ${times[times.length - 1] ?? ''}`,
  ]);
}

function tally(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
