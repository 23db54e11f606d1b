/**
 * Outbox throughput on this machine: how many ~600-byte events per second `enqueue` takes
 * and gets durably on disk (fsync 'always', group commit), and what one enqueue costs the
 * caller (the scan path's share). Then how fast a pump drains them to a no-op destination.
 *
 *   npx tsx bench/outbox-bench.ts [events=20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../src/events/outbox/outbox.js';
import { startOutboxPump } from '../src/events/outbox/outbox-pump.js';

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'bulwark-outbox-bench-'));
try {
  const outbox = await Outbox.open({ dir, maxBytes: 1 << 30 });
  const payload = Buffer.alloc(600, 'x');
  const started = performance.now();
  let enqueueMs = 0;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    outbox.enqueue({ destination: 'bulwark.threat.detected', key: `tenant-${i % 50}`, headers: { 'event-type': 'THREAT_DETECTED', 'event-id': String(i) }, payload });
    enqueueMs += performance.now() - t;
    // Let the writer run now and then, as it would between scans.
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await outbox.flush();
  const durableMs = performance.now() - started;

  const drainStarted = performance.now();
  const pump = startOutboxPump(outbox, { batchSize: 500, send: async () => {} });
  while (outbox.stats().depth > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const drainMs = performance.now() - drainStarted;
  await pump.stop();
  await outbox.close();

  console.log(JSON.stringify({
    events: count,
    enqueueMicrosPerEvent: +((enqueueMs * 1000) / count).toFixed(2),
    durableEventsPerSecond: Math.round(count / (durableMs / 1000)),
    drainedEventsPerSecond: Math.round(count / (drainMs / 1000)),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
