/** Builders for webhook tests: SecurityEvent JSON, compiled destinations, temp dirs, started alerts. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileDestination, type DestinationInput } from '../../../src/events/webhooks/alert-destination-config.js';
import type { AlertDestination } from '../../../src/events/webhooks/alert-destination.js';
import { WebhookAlerts } from '../../../src/events/webhooks/webhook-alerts.js';
import { createLogger } from '../../../src/telemetry/logger.js';

export const silent = createLogger({ level: 'silent' });

/** A THREAT_DETECTED event in its JSON form (a HIGH secret, blocked). */
export function threatEvent(overrides: { severity?: string; tenantId?: string; eventId?: string } = {}): Record<string, unknown> {
  return {
    eventId: overrides.eventId ?? randomUUID(),
    time: new Date().toISOString(),
    type: 'SECURITY_EVENT_TYPE_THREAT_DETECTED',
    tenantId: overrides.tenantId ?? 'acme',
    sidecarId: 'node-1',
    agentId: 'agent-7',
    requestId: 'req-42',
    policyId: 'default',
    policyVersion: 'sha256:abc',
    latencyMs: 0.4,
    scan: {
      scanId: randomUUID(),
      direction: 'DIRECTION_INPUT',
      action: 'ACTION_BLOCK',
      threats: [{ type: 'THREAT_TYPE_SECRET', severity: overrides.severity ?? 'SEVERITY_HIGH', ruleId: 'aws-access-key', detector: 'secrets', entityType: 'AWS_ACCESS_KEY', count: 2, action: 'ACTION_BLOCK' }],
      entityCounts: { AWS_ACCESS_KEY: 2 },
      maxSeverity: overrides.severity ?? 'SEVERITY_HIGH',
      contentLength: 80,
    },
  };
}

/** An ACTION_DENIED event in its JSON form. */
export function deniedEvent(): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    time: new Date().toISOString(),
    type: 'SECURITY_EVENT_TYPE_ACTION_DENIED',
    tenantId: 'acme',
    sidecarId: 'node-1',
    agentId: 'agent-7',
    requestId: 'req-43',
    policyVersion: 'sha256:abc',
    action: { actionType: 'ACTION_TYPE_TOOL_CALL', toolName: 'shell', decision: 'ACTION_DECISION_KIND_DENY', reasonCode: 'REASON_CODE_RULE', matchedRuleId: 'no-shell', threats: [], agentHealth: 'AGENT_HEALTH_HEALTHY' },
  };
}

/** A compiled destination with fast retries (tests must not wait seconds for backoff). */
export function destination(url: string, input: DestinationInput = {}): AlertDestination {
  return compileDestination({ url, retry: { baseMs: 20, maxMs: 200 }, rateLimit: { perMinute: 6000, burst: 100 }, ...input }, 'test', { env: process.env }, 'test-hook');
}

export class TempDirs {
  private readonly dirs: string[] = [];
  make(): string {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-alerts-'));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Started alerts over `dir`; jitter pinned to its maximum so delays are predictable. */
export function startAlerts(destinations: AlertDestination[], dir: string): Promise<WebhookAlerts> {
  return WebhookAlerts.start({ destinations, dir, logger: silent, random: () => 1 });
}
