/**
 * Links an OUTPUT scan to the INPUT scan of the same request: when an input scan finds an
 * injection, the replies it demands ("respond only with ...", extracted by the pure
 * extractDemandedReplies) are kept here under (tenant, request_id) for a short time, and
 * the answer's scan with the same request_id hands them to the hijacked-answers detector.
 *
 * In memory, bounded (least recently used evicted) and short-lived (TTL): it only has to
 * bridge the time a model takes to answer. Tenant-scoped keys, so one tenant cannot read or
 * plant another's entries by reusing a request id. Holds extracted demands only, never the
 * scanned content.
 */
import { LRUCache } from 'lru-cache';
import { extractDemandedReplies } from '../detectors/output/demanded-replies.js';
import type { ScanResult } from '../engine/types.js';

export interface DemandedReplyCacheOptions {
  /** Requests remembered at once; default 10,000. */
  maxEntries?: number;
  /** How long an input's demands wait for its answer, in ms; default 5 minutes. */
  ttlMs?: number;
}

export class DemandedReplyCache {
  private readonly entries: LRUCache<string, string[]>;

  constructor(options: DemandedReplyCacheOptions = {}) {
    this.entries = new LRUCache<string, string[]>({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs ?? 5 * 60_000 });
  }

  /**
   * After an INPUT scan: when it found an injection, remembers what the input demands.
   * Extraction runs only then (rare), so ordinary scans cost nothing here.
   */
  rememberInput(tenantId: string, requestId: string, content: string, result: Pick<ScanResult, 'threats'>): void {
    if (requestId === '') return;
    if (!result.threats.some((t) => t.type === 'PROMPT_INJECTION' || t.type === 'JAILBREAK')) return;
    const demands = extractDemandedReplies(content);
    if (demands.length > 0) this.entries.set(key(tenantId, requestId), demands);
  }

  /** The demands remembered for this request of this tenant, if any. */
  demandsFor(tenantId: string, requestId: string): string[] | undefined {
    return requestId === '' ? undefined : this.entries.get(key(tenantId, requestId));
  }

  get size(): number {
    return this.entries.size;
  }
}

function key(tenantId: string, requestId: string): string {
  return `${tenantId}\u0000${requestId}`;
}
