/**
 * What the sidecar remembers about recent unary scans, by scan id, so a feedback report can
 * name a scan instead of resending its content: the tenant, the normalised content hash and
 * the rule ids / threat types found. Never the content. Bounded (least recently used evicted).
 */
import { LRUCache } from 'lru-cache';
import type { ThreatTypeName } from '../detectors/types.js';

export interface RememberedScan {
  tenantId: string;
  /** feedbackHash of the scanned content. */
  contentSha256: string;
  threats: Array<{ type: ThreatTypeName; ruleId: string }>;
}

export class RecentScans {
  private readonly cache: LRUCache<string, RememberedScan>;

  constructor(readonly capacity = 10_000) {
    this.cache = new LRUCache({ max: capacity });
  }

  remember(scanId: string, scan: RememberedScan): void {
    this.cache.set(scanId, scan);
  }

  get(scanId: string): RememberedScan | undefined {
    return this.cache.get(scanId);
  }

  get size(): number {
    return this.cache.size;
  }
}
