/**
 * Scanner pool gauges, read from the pool's public `stats()` at scrape time (no bookkeeping on
 * the scan path). Utilisation = busy workers / workers, so a dashboard needs no division.
 */
import { Gauge, type Registry } from 'prom-client';
import type { ScanPoolStats } from '../../pool/scan-pool.js';
import { collectedTotal } from './collected-totals.js';

export function registerPoolMetrics(registry: Registry, stats: () => ScanPoolStats): void {
  const registers = [registry];
  new Gauge({
    name: 'bulwark_pool_workers',
    help: 'Scanner worker threads alive.',
    registers,
    collect() {
      this.set(stats().workers);
    },
  });
  new Gauge({
    name: 'bulwark_pool_busy_workers',
    help: 'Scans running on worker threads (a thread may hold more than one: its inbox).',
    registers,
    collect() {
      this.set(stats().running);
    },
  });
  new Gauge({
    name: 'bulwark_pool_utilization_ratio',
    help: 'Running scans per worker thread (1 = every thread busy; above 1 = inboxes filled).',
    registers,
    collect() {
      const s = stats();
      this.set(s.workers > 0 ? s.running / s.workers : 0);
    },
  });
  new Gauge({
    name: 'bulwark_pool_queue_depth',
    help: 'Scans waiting for a worker thread (RESOURCE_EXHAUSTED beyond the queue limit).',
    registers,
    collect() {
      this.set(stats().queued);
    },
  });
  collectedTotal(registry, 'bulwark_pool_tasks_completed_total', 'Tasks the scanner pool finished since start.', () => stats().completed);
}
