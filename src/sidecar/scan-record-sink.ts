/**
 * The hook between the scan handlers and record shipping. The handlers call it after a
 * scan's response is built; it turns the scan into a content-free record (keyed hash,
 * lengths, entity counts, threat summaries) and pushes it into a bounded buffer. No I/O, no
 * waiting: shipping happens later, elsewhere (record-shipper.ts).
 */
import { createHmac, type Hmac } from 'node:crypto';
import type { ActionName, DirectionName } from '../detectors/types.js';
import type { ScanResult, StreamWindowResult, ThreatResult } from '../engine/types.js';
import type { ScanRecordData, ThreatSummaryData } from '../store/record-types.js';
import { codePointLength } from './code-points.js';

/** Identifiers of one scan (a unary Scan or one logical stream). */
export interface ScanRecordContext {
  scanId: string;
  requestId: string;
  agentId: string;
  tenantId: string;
  direction: DirectionName;
  /** Date.now() when the scan started. */
  startedAt: number;
}

/** Accumulates one logical stream's record; `finish` emits it (once). */
export interface StreamScanRecord {
  addContent(chunk: string): void;
  addWindow(result: StreamWindowResult): void;
  finish(action: ActionName): void;
}

/** What the scan handlers call. Implementations never throw and never block. */
export interface ScanRecordSink {
  scanned(ctx: ScanRecordContext, content: string, result: ScanResult, latencyMs: number): void;
  openStream(ctx: ScanRecordContext): StreamScanRecord;
}

/** The ingest API's bounds (record-messages.ts): a record over them would poison its batch. */
const MAX_ID = 128;
const MAX_THREATS = 200;
const MAX_ENTITY_KINDS = 100;

export interface RecordBuilderOptions {
  /** This sidecar's node id (ScanRecord.sidecar_id). */
  nodeId: string;
  /**
   * Whether scans of a tenant are recorded: only tenants the token may ingest for, since the
   * control plane refuses a whole batch for one record of another tenant.
   */
  records(tenantId: string): boolean;
  /** The HMAC key for a tenant's content hashes (the tenant policy's hash salt). */
  hashKeyOf(tenantId: string): string;
  /** Where finished records go (a bounded buffer). */
  push(record: ScanRecordData): void;
  /** A bug here must never fail a scan: it is reported, the record is skipped. */
  onError(err: unknown): void;
}

const NO_STREAM_RECORD: StreamScanRecord = { addContent() {}, addWindow() {}, finish() {} };

const SEVERITY_RANK = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 } as const;

/** One summary per (type, rule, detector, entity, action), counting findings (also used by security events). */
export function summarize(threats: readonly ThreatResult[], into: Map<string, ThreatSummaryData>, entities: Record<string, number>): void {
  for (const t of threats) {
    const key = `${t.type}\u0000${t.ruleId}\u0000${t.detector}\u0000${t.entityType}\u0000${t.action}`;
    const existing = into.get(key);
    if (existing) {
      existing.count++;
      if (SEVERITY_RANK[t.severity] > SEVERITY_RANK[existing.severity]) existing.severity = t.severity;
    } else if (into.size < MAX_THREATS) {
      into.set(key, { type: t.type, severity: t.severity, ruleId: t.ruleId.slice(0, MAX_ID), detector: t.detector.slice(0, MAX_ID), entityType: t.entityType.slice(0, 64), count: 1, action: t.action });
    }
    if (t.entityType && (t.type === 'PII' || t.type === 'SECRET')) {
      const kind = t.entityType.slice(0, 64);
      if (kind in entities || Object.keys(entities).length < MAX_ENTITY_KINDS) entities[kind] = (entities[kind] ?? 0) + 1;
    }
  }
}

/** The identifying fields every record (and security event) of a scan starts with, bounded. */
export function recordIdentity(ctx: ScanRecordContext, nodeId: string): Pick<ScanRecordData, 'scanId' | 'tenantId' | 'occurredAt' | 'direction' | 'requestId' | 'agentId' | 'sidecarId'> {
  return {
    scanId: ctx.scanId,
    tenantId: ctx.tenantId,
    occurredAt: new Date(ctx.startedAt).toISOString(),
    direction: ctx.direction,
    requestId: ctx.requestId.slice(0, MAX_ID),
    agentId: ctx.agentId.slice(0, MAX_ID),
    sidecarId: nodeId.slice(0, MAX_ID),
  };
}

function record(
  options: RecordBuilderOptions,
  ctx: ScanRecordContext,
  fields: { action: ActionName; policyId: string; policyVersion: string; contentHash: string; contentLength: number; latencyMs: number },
  summaries: Map<string, ThreatSummaryData>,
  entityCounts: Record<string, number>,
): ScanRecordData {
  return {
    ...recordIdentity(ctx, options.nodeId),
    ...fields,
    policyId: fields.policyId.slice(0, MAX_ID),
    policyVersion: fields.policyVersion.slice(0, MAX_ID),
    entityCounts,
    threats: [...summaries.values()],
  };
}

function hashPrefix(h: Hmac): string {
  return `hmac-sha256:${h.digest('hex')}`;
}

/** The sink that builds records and hands them to `options.push`; it never throws. */
export function createRecordBuilder(options: RecordBuilderOptions): ScanRecordSink {
  const guard = <A extends unknown[], R>(fn: (...args: A) => R, fallback: R) => (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      options.onError(err);
      return fallback;
    }
  };
  const builder: ScanRecordSink = {
    scanned(ctx, content, result, latencyMs) {
      if (!options.records(ctx.tenantId)) return;
      const summaries = new Map<string, ThreatSummaryData>();
      const entities: Record<string, number> = {};
      summarize(result.threats, summaries, entities);
      const contentHash = hashPrefix(createHmac('sha256', options.hashKeyOf(ctx.tenantId)).update(content));
      options.push(
        record(
          options,
          ctx,
          { action: result.action, policyId: result.policyId, policyVersion: result.policyVersion, contentHash, contentLength: codePointLength(content), latencyMs },
          summaries,
          entities,
        ),
      );
    },
    openStream(ctx) {
      if (!options.records(ctx.tenantId)) return NO_STREAM_RECORD;
      const hmac = createHmac('sha256', options.hashKeyOf(ctx.tenantId));
      const summaries = new Map<string, ThreatSummaryData>();
      const entities: Record<string, number> = {};
      let length = 0;
      let latencyMs = 0;
      let policyId = '';
      let policyVersion = '';
      let finished = false;
      return {
        addContent: guard((chunk: string) => {
          hmac.update(chunk);
          length += codePointLength(chunk);
        }, undefined),
        addWindow: guard((result: StreamWindowResult) => {
          summarize(result.threats, summaries, entities);
          latencyMs += result.latencyMs;
          policyId = result.policyId;
          policyVersion = result.policyVersion;
        }, undefined),
        finish: guard((action: ActionName) => {
          if (finished) return;
          finished = true;
          options.push(record(options, ctx, { action, policyId, policyVersion, contentHash: hashPrefix(hmac), contentLength: length, latencyMs }, summaries, entities));
        }, undefined),
      };
    },
  };
  return { scanned: guard(builder.scanned, undefined), openStream: guard(builder.openStream, NO_STREAM_RECORD) };
}
