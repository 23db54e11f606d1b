/**
 * A scan pool that enforces the feedback overlay on top of whatever policy set it is given.
 *
 * Why inside the PolicySet: the pool already gets a policy set into every worker thread (its
 * BroadcastChannel, hello/re-publish for late threads, "resolved once every thread has
 * compiled it"). Feedback rides the same path as `PolicySet.feedback`, so a report takes
 * effect on every thread before its RPC returns, and a thread that starts later gets it too.
 * Installing a set whose policies are unchanged is cheap: detectors are cached by policy
 * version, so only the overlay is compiled again.
 *
 * Policy changes (file reload, control-plane push) go through `setPolicySet` here as before
 * and keep the overlay; `policySet` reports the set as given (its version is what the control
 * plane knows), while the threads enforce `<version>+feedback.<revision>`.
 */
import type { FeedbackOverlay } from '../engine/feedback-overlay.js';
import type { ScanPool } from '../pool/scan-pool.js';
import type { PolicySet } from '../policy/types.js';

export interface FeedbackPool extends ScanPool {
  /** Resolves once every thread enforces `overlay` with the current policy set. */
  applyFeedback(overlay: FeedbackOverlay): Promise<void>;
  /** The set the threads enforce (policy set + overlay). */
  readonly enforcedSet: PolicySet;
}

/** The set with the overlay attached; unchanged when the overlay is empty. */
export function withOverlay(set: PolicySet, overlay: FeedbackOverlay | undefined): PolicySet {
  if (!overlay || Object.keys(overlay.tenants).length === 0) return set;
  return { ...set, feedback: overlay, version: `${set.version}+feedback.${overlay.revision}` };
}

class OverlaidPool implements FeedbackPool {
  private base: PolicySet;
  private overlay: FeedbackOverlay | undefined;
  /** Changes run one at a time, each merging the latest base and overlay. */
  private changes: Promise<void> = Promise.resolve();

  constructor(private readonly inner: ScanPool) {
    this.base = inner.policySet;
  }

  scan: ScanPool['scan'] = (task, signal) => this.inner.scan(task, signal);
  scanWindow: ScanPool['scanWindow'] = (task, signal) => this.inner.scanWindow(task, signal);
  stats: ScanPool['stats'] = () => this.inner.stats();
  close: ScanPool['close'] = (options) => this.inner.close(options);

  get policySet(): PolicySet {
    return this.base;
  }

  get enforcedSet(): PolicySet {
    return this.inner.policySet;
  }

  setPolicySet(set: PolicySet): Promise<void> {
    return this.change(() => ({ base: set, overlay: this.overlay }));
  }

  applyFeedback(overlay: FeedbackOverlay): Promise<void> {
    return this.change(() => ({ base: this.base, overlay }));
  }

  private change(next: () => { base: PolicySet; overlay: FeedbackOverlay | undefined }): Promise<void> {
    const run = this.changes.then(async () => {
      const { base, overlay } = next();
      await this.inner.setPolicySet(withOverlay(base, overlay));
      this.base = base;
      this.overlay = overlay;
    });
    this.changes = run.catch(() => undefined);
    return run;
  }
}

/** Wraps a pool; every policy set it is given from now on carries the feedback overlay. */
export function withFeedback(pool: ScanPool): FeedbackPool {
  return new OverlaidPool(pool);
}
