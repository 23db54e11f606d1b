/**
 * Scan record shipping to the control plane (record-shipper.ts), read from its stats at
 * scrape time: what waits in memory, what was spilled to disk while the control plane was
 * unreachable, what was delivered or dropped.
 */
import { Gauge, type Registry } from 'prom-client';
import type { RecordShipperStats } from '../../sidecar/record-shipper.js';
import { collectedTotal } from './collected-totals.js';

export function registerRecordMetrics(registry: Registry, stats: () => RecordShipperStats): void {
  new Gauge({
    name: 'bulwark_records_buffered',
    help: 'Scan records in memory waiting to be shipped to the control plane.',
    registers: [registry],
    collect() {
      this.set(stats().buffered);
    },
  });
  new Gauge({
    name: 'bulwark_records_spool_bytes',
    help: 'Bytes of scan records in the spill file, not yet delivered.',
    registers: [registry],
    collect() {
      this.set(stats().spooledBytes);
    },
  });
  collectedTotal(registry, 'bulwark_records_spilled_total', 'Scan records written to the spill file (control plane unreachable).', () => stats().spilled);
  collectedTotal(registry, 'bulwark_records_shipped_total', 'Scan records the control plane acknowledged.', () => stats().shipped);
  collectedTotal(registry, 'bulwark_records_dropped_total', 'Scan records dropped (buffer or spill file full, or refused).', () => stats().dropped);
}
