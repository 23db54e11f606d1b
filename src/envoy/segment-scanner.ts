/**
 * Scans the values of one body (segments) through the scanner pool: one task for all of them
 * (joined-segments.ts), and on REDACT the redacted value of each segment. When the redacted
 * text cannot be split back, each segment is scanned on its own (only then: it costs one task
 * per segment).
 */
import { randomUUID } from 'node:crypto';
import type { DirectionName } from '../detectors/types.js';
import { mostSevere } from '../engine/decide-action.js';
import { resolvePolicy } from '../engine/resolve-policy.js';
import type { ScanResult, ScanTask } from '../engine/types.js';
import type { FailMode } from '../policy/types.js';
import type { ScanPool } from '../pool/scan-pool.js';
import { tenantOrDefault } from '../sidecar/proto-mapping.js';
import type { ScanRecordSink } from '../sidecar/scan-record-sink.js';
import { threatTypesOf } from './blocked-bodies.js';
import { containsSeparator, joinSegments, splitJoined } from './joined-segments.js';
import type { ScanOutcome } from './scan-outcome.js';
import { traceScan } from '../telemetry/tracing/pool-hop-spans.js';
import type { CallTrace } from '../telemetry/tracing/rpc-server-span.js';

export interface SegmentScanRequest {
  tenantId: string;
  policyId: string;
  direction: DirectionName;
  texts: readonly string[];
  /** ms since epoch; 0 = none. */
  deadline: number;
  signal?: AbortSignal;
  /** Output guards: the application's system prompt and the input that produced the answer. */
  guard?: OutputGuardFields;
  /** The call's server span when traced (the joined scan's pool hop hangs under it). */
  trace?: CallTrace;
  /** Where the scan's content-free record goes (records, events, alerts), with Envoy's x-request-id. */
  record?: { sink: ScanRecordSink; requestId: string };
}

/**
 * Hook for output guards (system-prompt leak and hijack detection): the fields an OUTPUT scan
 * task carries about the request that produced the answer. Spread into the ScanTask; the engine
 * reads them where it supports them.
 */
export interface OutputGuardFields {
  systemPrompt?: string;
  inputContent?: string;
}

/** The joined text is over the content limit: the caller treats the body as unscannable. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The tenant policy's fail mode ("closed" when the policy cannot be resolved). */
export function policyFailMode(pool: ScanPool, tenantId: string, policyId: string): FailMode {
  try {
    return resolvePolicy(pool.policySet, tenantId, policyId).failMode;
  } catch {
    return 'closed';
  }
}

function utf8Over(text: string, limit: number): boolean {
  return text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit;
}

export async function scanSegments(pool: ScanPool, request: SegmentScanRequest, maxContentBytes: number): Promise<ScanOutcome> {
  const startedAt = Date.now();
  const outcome = await scanAllSegments(pool, request, maxContentBytes);
  if (request.record && !outcome.skipped && outcome.joinedResult) {
    const { sink, requestId } = request.record;
    const ids = { scanId: outcome.scanId, requestId, agentId: '', tenantId: tenantOrDefault(request.tenantId), direction: request.direction, startedAt };
    // The joined scan's findings, under the final action (a segment scanned alone may raise it).
    sink.scanned(ids, joinSegments(request.texts), { ...outcome.joinedResult, action: outcome.action }, Date.now() - startedAt);
  }
  delete outcome.joinedResult;
  return outcome;
}

async function scanAllSegments(pool: ScanPool, request: SegmentScanRequest, maxContentBytes: number): Promise<ScanOutcome & { joinedResult?: ScanResult }> {
  const scanId = randomUUID();
  const texts = request.texts;
  if (texts.every((t) => t === '')) {
    return { action: 'ALLOW', threatTypes: [], scanId, policyVersion: pool.policySet.version, partial: false, skipped: true };
  }
  const joined = joinSegments(texts);
  if (utf8Over(joined, maxContentBytes)) throw new BodyTooLargeError(`body text is over the limit of ${maxContentBytes} bytes`);
  const task = (content: string): ScanTask => ({
    tenantId: request.tenantId,
    direction: request.direction,
    content,
    policyId: request.policyId,
    deadline: request.deadline,
    ...request.guard,
  });
  const joinedTask = task(joined);
  const result = await traceScan(request.trace, joinedTask, () => pool.scan(joinedTask, request.signal));
  const outcome: ScanOutcome & { joinedResult?: ScanResult } = {
    joinedResult: result,
    action: result.action,
    threatTypes: threatTypesOf(result.threats),
    scanId,
    policyVersion: result.policyVersion,
    partial: false,
    skipped: false,
  };
  if (result.action !== 'REDACT') return outcome;
  const split = containsSeparator(texts) ? undefined : splitJoined(result.redactedContent ?? '', texts.length);
  if (split) return { ...outcome, redactedSegments: split };
  return scanOneByOne(pool, texts, task, request.signal, outcome);
}

async function scanOneByOne(
  pool: ScanPool,
  texts: readonly string[],
  task: (content: string) => ScanTask,
  signal: AbortSignal | undefined,
  joined: ScanOutcome,
): Promise<ScanOutcome> {
  const results: ScanResult[] = await Promise.all(texts.map((t) => (t === '' ? undefined : pool.scan(task(t), signal))).map((p, i) =>
    p ?? Promise.resolve<ScanResult>({ action: 'ALLOW', threats: [], policyId: '', policyVersion: joined.policyVersion, latencyMs: 0, redactedContent: texts[i] }),
  ));
  // The joined scan's REDACT stands even if no single segment reaches it alone (context
  // across segments); a segment's own BLOCK wins.
  const action = mostSevere([joined.action, ...results.map((r) => r.action)]);
  return {
    ...joined,
    action,
    threatTypes: [...new Set([...joined.threatTypes, ...results.flatMap((r) => threatTypesOf(r.threats))])],
    redactedSegments: results.map((r, i) => (r.action === 'REDACT' ? (r.redactedContent ?? texts[i]!) : texts[i]!)),
  };
}
