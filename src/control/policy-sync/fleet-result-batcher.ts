/**
 * Collects the ACKs and NACKs of every stream on this replica and writes them in one
 * transaction per batch (FleetRepository.recordPolicyResults): a policy change makes every
 * sidecar answer at about the same moment, and one transaction per answer would queue up
 * behind each other (PGlite runs one at a time). A batch is written `delayMs` after its
 * first result, or at once when `maxBatch` have gathered; one write at a time, in order.
 */
import type { FleetRepository, PolicyResult } from '../../store/fleet-repository.js';
import type { Logger } from '../../telemetry/logger.js';

export class FleetResultBatcher {
  private pending: PolicyResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly fleet: FleetRepository,
    private readonly logger: Logger,
    private readonly delayMs = 10,
    private readonly maxBatch = 1000,
  ) {}

  add(result: PolicyResult): void {
    this.pending.push(result);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes what is pending now; resolves when every write so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.writing = this.writing
        .then(() => this.fleet.recordPolicyResults(batch))
        .catch((err: unknown) => this.logger.error({ err: (err as Error).message, results: batch.length }, 'writing sidecar ACK/NACK results failed'));
    }
    return this.writing;
  }
}
