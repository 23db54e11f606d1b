/**
 * Runs the retention purge now and then every `intervalMs`, never two runs at once. The
 * timer is unref'd: it never keeps the process alive by itself. Failures are logged and the
 * next tick tries again.
 */
import type { Logger } from '../telemetry/logger.js';

export interface RetentionSchedule {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startRetentionSchedule(purge: () => Promise<Map<string, number>>, intervalMs: number, logger: Logger): RetentionSchedule {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = purge()
      .then((counts) => {
        const deleted = [...counts.values()].reduce((a, b) => a + b, 0);
        if (deleted > 0) logger.info({ deleted, byTenant: Object.fromEntries([...counts].filter(([, n]) => n > 0)) }, 'retention purge');
      })
      .catch((err: unknown) => logger.error({ err }, 'retention purge failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
