/**
 * Which policy a sidecar enforces, since when, and (under a control plane) how long a pushed
 * snapshot took to arrive. The version is read from the pool at scrape time; a change of
 * version is also reported at once by {@link PolicyMetrics.versionApplied} where the sidecar
 * swaps policies, so the timestamp is exact rather than "first scrape after the change".
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import { PUSH_LAG_SECONDS_BUCKETS } from './buckets.js';

export class PolicyMetrics {
  private version: string | undefined;
  private sinceSeconds = 0;
  private readonly pushLag: Histogram;

  constructor(registry: Registry, currentVersion: () => string) {
    const registers = [registry];
    // The first version is the one the sidecar started with (the pool is not readable yet).
    const startedAt = Date.now() / 1000;
    const note = (): void => {
      const v = currentVersion();
      if (this.version === undefined) {
        this.version = v;
        this.sinceSeconds = startedAt;
      } else if (v !== this.version) {
        this.versionApplied(v);
      }
    };
    const state = (): { version: string; since: number } => ({ version: this.version ?? '', since: this.sinceSeconds });
    new Gauge({
      name: 'bulwark_policy_info',
      help: 'Always 1; the label is the policy set version this sidecar enforces.',
      labelNames: ['version'] as const,
      registers,
      collect() {
        note();
        this.reset();
        this.set({ version: state().version }, 1);
      },
    });
    new Gauge({
      name: 'bulwark_policy_version_timestamp_seconds',
      help: 'When this sidecar started enforcing its current policy set version (Unix time).',
      registers,
      collect() {
        note();
        this.set(state().since);
      },
    });
    this.pushLag = new Histogram({
      name: 'bulwark_policy_push_lag_seconds',
      help: 'From the control plane reading a policy snapshot to this sidecar enforcing it.',
      buckets: PUSH_LAG_SECONDS_BUCKETS,
      registers,
    });
  }

  /** The enforced version changed now. */
  versionApplied(version: string): void {
    this.version = version;
    this.sinceSeconds = Date.now() / 1000;
  }

  /** A pushed snapshot read by the control plane at `createdAt` (ISO-8601) is enforced now. */
  snapshotApplied(createdAt: string): void {
    const created = Date.parse(createdAt);
    if (Number.isFinite(created)) this.pushLag.observe(Math.max(0, Date.now() - created) / 1000);
  }
}
