/**
 * Which tenants' policies changed, and their new snapshots, for every stream of this
 * control-plane replica.
 *
 * Change detection, in two layers that work the same on PostgreSQL and PGlite and across
 * replicas:
 * 1. LISTEN `bulwark_policy_changes` (migration 006: a trigger NOTIFYs the tenant id when a
 *    policy version commits, whichever replica wrote it). Latency: the commit plus the
 *    coalescing window.
 * 2. A poll of `latestRevision` for every watched tenant (default every 2 s), for the
 *    notifications a listener can miss while its connection is down.
 *
 * Signals for a tenant are coalesced for `debounceMs` (a rule edit and a policy edit saved
 * together become one snapshot), then the snapshot is read once and handed to every
 * subscriber of that tenant: the cost is per tenant, not per sidecar.
 */
import type { TenantSnapshotData } from '../../policy/policy-snapshot.js';
import type { Database } from '../../store/database.js';
import type { PolicyRepository } from '../../store/policy-repository.js';
import type { Logger } from '../../telemetry/logger.js';
import { readTenantSnapshot } from './read-tenant-snapshot.js';

export const POLICY_CHANGE_CHANNEL = 'bulwark_policy_changes';

export type SnapshotListener = (snapshot: TenantSnapshotData) => void;

export interface PolicyChangeFeedOptions {
  /** Coalescing window after a change signal (default 75 ms). */
  debounceMs?: number;
  /** Fallback poll interval (default 2000 ms; 0 disables polling). */
  pollIntervalMs?: number;
  logger: Logger;
}

interface WatchedTenant {
  listeners: Set<SnapshotListener>;
  /** The first read; subscribers wait for it. */
  ready: Promise<void>;
  last: TenantSnapshotData | undefined;
  timer: NodeJS.Timeout | undefined;
  refreshing: boolean;
  again: boolean;
}

export class PolicyChangeFeed {
  private readonly watched = new Map<string, WatchedTenant>();
  private readonly debounceMs: number;
  private unlisten: (() => Promise<void>) | undefined;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;

  private constructor(
    private readonly policies: PolicyRepository,
    private readonly options: PolicyChangeFeedOptions,
  ) {
    this.debounceMs = options.debounceMs ?? 75;
  }

  /** Starts listening (and polling); resolves once LISTEN is in place. */
  static async start(db: Database, policies: PolicyRepository, options: PolicyChangeFeedOptions): Promise<PolicyChangeFeed> {
    const feed = new PolicyChangeFeed(policies, options);
    feed.unlisten = await db.listen(POLICY_CHANGE_CHANNEL, (tenant) => (tenant === undefined ? feed.changedAll() : feed.changed(tenant)));
    const interval = options.pollIntervalMs ?? 2000;
    if (interval > 0) {
      feed.poller = setInterval(() => void feed.poll(), interval);
      feed.poller.unref();
    }
    return feed;
  }

  /**
   * Calls `listener` with the tenant's current snapshot, then with every newer one, until the
   * returned function is called. Rejects when the first read fails.
   */
  async subscribe(tenantId: string, listener: SnapshotListener): Promise<() => void> {
    let entry = this.watched.get(tenantId);
    if (!entry) {
      const created: WatchedTenant = { listeners: new Set(), ready: Promise.resolve(), last: undefined, timer: undefined, refreshing: false, again: false };
      created.ready = readTenantSnapshot(this.policies, tenantId).then((s) => {
        created.last = s;
      });
      this.watched.set(tenantId, created);
      entry = created;
      entry.ready.catch(() => {
        if (this.watched.get(tenantId) === created && created.listeners.size === 0) this.watched.delete(tenantId);
      });
    }
    const watch = entry;
    await watch.ready;
    // Adding and sending in one synchronous step: no newer snapshot can slip in between.
    watch.listeners.add(listener);
    if (watch.last) listener(watch.last);
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0 && this.watched.get(tenantId) === watch) {
        clearTimeout(watch.timer);
        this.watched.delete(tenantId);
      }
    };
  }

  /** A change signal for `tenantId` (from NOTIFY, a poll, or a caller that just wrote). */
  changed(tenantId: string): void {
    const entry = this.watched.get(tenantId);
    if (!entry || entry.timer || this.closed) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.refresh(tenantId, entry);
    }, this.debounceMs);
  }

  /** Number of tenants with at least one subscriber. */
  get watchedTenants(): number {
    return this.watched.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const entry of this.watched.values()) clearTimeout(entry.timer);
    this.watched.clear();
    await this.unlisten?.();
  }

  private changedAll(): void {
    for (const tenant of this.watched.keys()) this.changed(tenant);
  }

  private async refresh(tenantId: string, entry: WatchedTenant): Promise<void> {
    if (entry.refreshing) {
      entry.again = true;
      return;
    }
    entry.refreshing = true;
    try {
      do {
        entry.again = false;
        const next = await readTenantSnapshot(this.policies, tenantId);
        if (this.closed || this.watched.get(tenantId) !== entry) return;
        if (entry.last && next.revision <= entry.last.revision) continue;
        entry.last = next;
        for (const listener of [...entry.listeners]) listener(next);
      } while (entry.again);
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message, tenantId }, 'reading a policy snapshot failed; the next poll retries');
    } finally {
      entry.refreshing = false;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const [tenantId, entry] of [...this.watched]) {
        if (!entry.last || entry.timer) continue;
        const revision = await this.policies.latestRevision(tenantId);
        if (revision > entry.last.revision) this.changed(tenantId);
      }
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message }, 'policy change poll failed');
    } finally {
      this.polling = false;
    }
  }
}
