/**
 * Counters whose running totals are kept by the component itself (the pool, the record
 * shipper, an outbox) and read at scrape time: the component stays free of prom-client, and
 * the scan path does no extra work. A component restart resets its totals, which Prometheus'
 * rate() treats as a counter reset, as it should.
 */
import { Counter, type Registry } from 'prom-client';

/** One unlabelled counter set from `read()` at every scrape. */
export function collectedTotal(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** One counter with a single label, set from `read()` (label value → total) at every scrape. */
export function collectedTotals(registry: Registry, name: string, help: string, label: string, read: () => Iterable<[string, number]>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, total] of read()) this.inc({ [label]: value }, total);
    },
  });
}
