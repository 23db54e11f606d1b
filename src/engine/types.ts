/**
 * Messages between the transports, the scanner pool and the engine. All plain data
 * (structured-cloneable): they cross worker-thread boundaries.
 *
 * Spans in results are Unicode CODE POINT offsets (the API's unit); the engine converts
 * from the detectors' UTF-16 offsets.
 */
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../detectors/types.js';

export interface ScanTask {
  /** Tenant id; "" means "default". */
  tenantId: string;
  direction: DirectionName;
  content: string;
  /** "" = the tenant's default policy. */
  policyId: string;
  /**
   * Absolute time (ms since epoch, Date.now()) after which the engine stops running
   * further detectors and lets the fail mode decide. 0 = only the policy's time budget.
   */
  deadline: number;
  /** OUTPUT scans: the application's system prompt (leak detection). */
  systemPrompt?: string;
  /** OUTPUT scans: the input that produced the answer (hijack and exfiltration checks). */
  inputContent?: string;
  /** OUTPUT scans: replies an injected input of the same request demanded (hijack detection). */
  demandedReplies?: string[];
}

/** A threat as returned to transports (code point spans). */
export interface ThreatResult {
  type: ThreatTypeName;
  severity: SeverityName;
  confidence: number;
  detector: string;
  ruleId: string;
  spans: Array<{ start: number; end: number }>;
  entityType: string;
  owaspId: string;
  atlasTechnique: string;
  description: string;
  action: ActionName;
}

/**
 * Where a scan's time went inside the engine, for metrics and trace spans. Offsets are from
 * the engine's start; `startedAtEpochMs` places them on the wall clock (worker threads have
 * their own performance.now() origin, so raw values would not line up with the main thread).
 */
export interface ScanTiming {
  startedAtEpochMs: number;
  detectors: { detector: string; offsetMs: number; durationMs: number }[];
}

export interface ScanResult {
  action: ActionName;
  threats: ThreatResult[];
  /** Set only when action is REDACT. */
  redactedContent?: string;
  policyId: string;
  policyVersion: string;
  /** Time spent in the engine. */
  latencyMs: number;
  /** Per-detector timing (set by the engine; absent on results built elsewhere). */
  timing?: ScanTiming;
}

/**
 * One step of a streamed scan. The transport keeps, per logical stream, the text not yet
 * released; the engine decides how much of it is safe to release now.
 */
export interface StreamWindowTask extends ScanTask {
  /**
   * `content` = already-released context (prefix) + unreleased text. The first
   * `prefixLength` UTF-16 units were released before; they are scanned for context only
   * (findings entirely inside the prefix are ignored, they were reported already).
   */
  prefixLength: number;
  /** Code point offset of content[prefixLength] within the whole logical stream. */
  streamOffset: number;
  /** True at end of stream: release everything. */
  final: boolean;
  /** How many UTF-16 units at the end to hold back when not final. */
  holdBack: number;
}

export interface StreamWindowResult {
  /** Action over the findings of this window (the transport combines with earlier windows). */
  action: ActionName;
  /** Findings of this window not entirely inside the prefix; spans are stream-absolute code points. */
  threats: ThreatResult[];
  /** UTF-16 units of the unreleased text (content after the prefix) now released. */
  releaseLength: number;
  /** The released text, with redactions applied. Empty when action is BLOCK. */
  releasedText: string;
  policyId: string;
  policyVersion: string;
  latencyMs: number;
  /** Per-detector timing of this window (set by the engine). */
  timing?: ScanTiming;
}

/** Errors the engine reports to transports; mapped to gRPC codes at the edge. */
export type EngineErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'DEADLINE_EXCEEDED' | 'INTERNAL';
