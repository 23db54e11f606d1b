/**
 * The sidecar's policy state under a control plane ("cached bootstrap, then watch"):
 *
 * 1. `load()` reads the last ACKed snapshot of each tenant from disk (corrupt or
 *    no-longer-loadable files are logged and ignored) and composes the set to start with.
 * 2. `apply()` is the watch client's `onSnapshot`: check, compile with the sidecar's own
 *    loader, swap atomically in every worker (pool.setPolicySet), persist, ACK; any failure
 *    is a NACK with the reason and the previous snapshot stays in force.
 * 3. `ready` resolves once every tenant enforces a control-plane snapshot (from disk or
 *    pushed), or when the initial-policy timeout passes: until then the sidecar runs the
 *    local/default policy and reports NOT_SERVING.
 */
import type { PolicyEnvironment } from '../policy/compile-policy.js';
import type { TenantSnapshotData } from '../policy/policy-snapshot.js';
import type { PolicySet } from '../policy/types.js';
import type { ScanPool } from '../pool/scan-pool.js';
import type { Logger } from '../telemetry/logger.js';
import { readSnapshotFile, writeSnapshotFile } from './policy-snapshot-file.js';
import { compileSnapshot, composePolicySet, type TenantPolicies } from './snapshot-policy-set.js';

export interface PolicySyncAgentOptions {
  /** Where the snapshot files live. */
  snapshotDir: string;
  tenants: readonly string[];
  /** The local policy file's set, or the built-in default. */
  baseSet: PolicySet;
  /** What the loader reads secrets from (default process.env). */
  env?: PolicyEnvironment;
  /** Serve with the base policy after this long without a snapshot; 0 = wait forever. */
  initialPolicyTimeoutMs: number;
  logger: Logger;
}

interface Enforced {
  snapshot: TenantSnapshotData;
  policies: TenantPolicies;
}

export class PolicySyncAgent {
  private readonly enforced = new Map<string, Enforced>();
  private pool: ScanPool | undefined;
  private resolveReady: (() => void) | undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  /** Resolves when the sidecar may report SERVING. */
  readonly ready: Promise<void>;

  constructor(private readonly options: PolicySyncAgentOptions) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** Reads the persisted snapshots; returns the set to start the pool with. */
  async load(): Promise<PolicySet> {
    const { logger, snapshotDir } = this.options;
    for (const tenant of this.options.tenants) {
      const read = await readSnapshotFile(snapshotDir, tenant);
      if (read.kind === 'absent') continue;
      if (read.kind === 'corrupt') {
        logger.error({ tenantId: tenant, reason: read.reason }, 'persisted policy snapshot is corrupt; ignoring it');
        continue;
      }
      try {
        this.enforced.set(tenant, { snapshot: read.snapshot, policies: compileSnapshot(read.snapshot, this.env) });
        logger.info({ tenantId: tenant, version: read.snapshot.version }, 'enforcing the persisted policy snapshot');
      } catch (err) {
        logger.error({ tenantId: tenant, version: read.snapshot.version, err: (err as Error).message }, 'persisted policy snapshot no longer loads; ignoring it');
      }
    }
    this.checkReady();
    if (!this.isReady() && this.options.initialPolicyTimeoutMs > 0) {
      this.readyTimer = setTimeout(() => {
        logger.warn({ missing: this.missingTenants() }, 'no policy snapshot yet from the control plane; serving with the local/default policy');
        this.markReady();
      }, this.options.initialPolicyTimeoutMs);
      this.readyTimer.unref();
    }
    return this.currentSet();
  }

  /** From now on snapshots are swapped into `pool`. */
  attach(pool: ScanPool): void {
    this.pool = pool;
  }

  /** The watch client's handler: undefined = ACK, otherwise the NACK reason. */
  async apply(snapshot: TenantSnapshotData): Promise<string | undefined> {
    const { logger } = this.options;
    if (!this.options.tenants.includes(snapshot.tenantId)) return `this sidecar does not serve tenant "${snapshot.tenantId}"`;
    // No "older revision" check: the control plane is authoritative (a restored database
    // may number revisions lower), and it never sends one stream an older revision.
    const current = this.enforced.get(snapshot.tenantId);
    if (current && current.snapshot.contentDigest === snapshot.contentDigest) {
      // Same content (e.g. a reconnect after a restart from disk): nothing to swap.
      this.enforced.set(snapshot.tenantId, { ...current, snapshot });
      await this.persist(snapshot);
      this.checkReady();
      return undefined;
    }
    let policies: TenantPolicies;
    try {
      policies = compileSnapshot(snapshot, this.env);
    } catch (err) {
      logger.warn({ tenantId: snapshot.tenantId, version: snapshot.version, err: (err as Error).message }, 'policy snapshot rejected');
      return (err as Error).message;
    }
    const overrides = this.overrides();
    overrides.set(snapshot.tenantId, policies);
    const next = composePolicySet(this.options.baseSet, overrides);
    try {
      await this.pool?.setPolicySet(next);
    } catch (err) {
      logger.warn({ tenantId: snapshot.tenantId, version: snapshot.version, err: (err as Error).message }, 'policy snapshot failed in the scanner threads');
      return `the scanner threads could not load it: ${(err as Error).message}`;
    }
    this.enforced.set(snapshot.tenantId, { snapshot, policies });
    await this.persist(snapshot);
    logger.info({ tenantId: snapshot.tenantId, version: snapshot.version, policySetVersion: next.version }, 'policy snapshot applied');
    this.checkReady();
    return undefined;
  }

  /** The version enforced for each tenant that has a snapshot. */
  enforcedVersions(): Record<string, string> {
    return Object.fromEntries([...this.enforced].map(([t, e]) => [t, e.snapshot.version]));
  }

  close(): void {
    clearTimeout(this.readyTimer);
  }

  private get env(): PolicyEnvironment {
    return this.options.env ?? process.env;
  }

  private currentSet(): PolicySet {
    return composePolicySet(this.options.baseSet, this.overrides());
  }

  private overrides(): Map<string, TenantPolicies> {
    return new Map([...this.enforced].map(([t, e]) => [t, e.policies]));
  }

  /** A failed write is logged, not NACKed: the snapshot IS enforced; only a restart would lose it. */
  private async persist(snapshot: TenantSnapshotData): Promise<void> {
    try {
      await writeSnapshotFile(this.options.snapshotDir, snapshot);
    } catch (err) {
      this.options.logger.error({ tenantId: snapshot.tenantId, err: (err as Error).message }, 'could not persist the policy snapshot');
    }
  }

  private missingTenants(): string[] {
    return this.options.tenants.filter((t) => !this.enforced.has(t));
  }

  private isReady(): boolean {
    return this.resolveReady === undefined;
  }

  private checkReady(): void {
    if (this.missingTenants().length === 0) this.markReady();
  }

  private markReady(): void {
    clearTimeout(this.readyTimer);
    this.resolveReady?.();
    this.resolveReady = undefined;
  }
}
