/**
 * Scan decisions into the audit log, for tenants whose policy asks
 * (`actionSettings.auditScans`): a ScanRecordSink wrapped around the sidecar's own (record
 * shipping), so the scan handlers need no change. Entries are content-free like every audit
 * entry: direction, action, threat types and kinds, ids and the policy version.
 */
import type { ActionName } from '../detectors/types.js';
import type { ThreatResult } from '../engine/types.js';
import { agentActionsOf } from '../policy/agent-action-defaults.js';
import { resolvePolicy } from '../engine/resolve-policy.js';
import type { PolicySet } from '../policy/types.js';
import type { AuditLogWriter } from '../audit/audit-log-writer.js';
import type { ScanRecordContext, ScanRecordSink, StreamScanRecord } from './scan-record-sink.js';

function wants(set: PolicySet, tenantId: string): boolean {
  try {
    return agentActionsOf(resolvePolicy(set, tenantId, '')).settings.auditScans;
  } catch {
    return false;
  }
}

function threats(list: readonly ThreatResult[]): Array<{ type: string; entity: string; rule: string }> {
  return list.slice(0, 200).map((t) => ({ type: t.type, entity: t.entityType, rule: t.ruleId }));
}

const NOTHING: StreamScanRecord = { addContent() {}, addWindow() {}, finish() {} };

/** `inner` plus audit entries; undefined stays undefined when there is no audit log. */
export function withScanAudit(inner: ScanRecordSink | undefined, audit: AuditLogWriter | undefined, policySet: () => PolicySet): ScanRecordSink | undefined {
  if (!audit) return inner;
  const append = (ctx: ScanRecordContext, action: ActionName, found: readonly ThreatResult[], policyVersion: string): void => {
    try {
      audit.append('scan', {
        tenant: ctx.tenantId,
        agent: ctx.agentId,
        direction: ctx.direction,
        decision: action,
        threats: threats(found),
        scan: ctx.scanId,
        request: ctx.requestId,
        policy: policyVersion,
      });
    } catch {
      // The audit log is closing: never fail a scan for bookkeeping.
    }
  };
  return {
    scanned(ctx, content, result, latencyMs) {
      inner?.scanned(ctx, content, result, latencyMs);
      if (wants(policySet(), ctx.tenantId)) append(ctx, result.action, result.threats, result.policyVersion);
    },
    openStream(ctx) {
      const record = inner?.openStream(ctx) ?? NOTHING;
      if (!wants(policySet(), ctx.tenantId)) return record;
      const found: ThreatResult[] = [];
      let version = '';
      return {
        addContent: (chunk) => record.addContent(chunk),
        addWindow: (result) => {
          found.push(...result.threats);
          version = result.policyVersion;
          record.addWindow(result);
        },
        finish: (action) => {
          record.finish(action);
          append(ctx, action, found, version);
        },
      };
    },
  };
}
