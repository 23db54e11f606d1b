/**
 * The sidecar's side of security events, so start-sidecar.ts composes it in a few lines:
 * wraps the pool (policy changes), the scan record sink (scan events) and the agent action
 * options (denied actions), and closes last. Without options (no Kafka brokers) every hook
 * returns its input unchanged: events cost nothing when off.
 */
import type { AgentActionOptions } from '../sidecar/agent-action-service.js';
import type { ScanRecordSink } from '../sidecar/scan-record-sink.js';
import type { PolicySet } from '../policy/types.js';
import type { Logger } from '../telemetry/logger.js';
import { registerOutboxMetrics, type MetricsTarget } from '../telemetry/metrics/outbox-metrics.js';
import { reportPolicyChanges } from './policy-change-reporter.js';
import { fanOutScanRecords } from './scan-record-fan-out.js';
import { SecurityEvents, type PolicySourceName, type SecurityEventsOptions } from './security-events.js';

export interface SidecarEvents {
  /** The running events, when on. */
  readonly events: SecurityEvents | undefined;
  /** The pool, reporting policy switches. */
  watchPolicy<P extends { setPolicySet(set: PolicySet): Promise<void>; readonly policySet: PolicySet }>(pool: P): P;
  /** `inner` (record shipping) plus scan events. */
  withScanEvents(inner: ScanRecordSink | undefined): ScanRecordSink | undefined;
  /** The options plus a decision hook for ACTION_DENIED events. */
  withActionEvents(options: AgentActionOptions): AgentActionOptions;
  close(): Promise<void>;
}

const OFF: SidecarEvents = {
  events: undefined,
  watchPolicy: (pool) => pool,
  withScanEvents: (inner) => inner,
  withActionEvents: (options) => options,
  close: async () => {},
};

/** Starts events when `options` are given; their outbox shows as `bulwark_outbox_*{outbox="kafka"}` in `metrics`. */
export async function startSidecarEvents(
  options: SecurityEventsOptions | undefined,
  source: PolicySourceName,
  logger: Logger,
  metrics?: MetricsTarget,
): Promise<SidecarEvents> {
  if (!options) return OFF;
  const events = await SecurityEvents.start(options, logger);
  if (metrics) registerOutboxMetrics(metrics, 'kafka', () => events.stats());
  return {
    events,
    watchPolicy: (pool) => reportPolicyChanges(pool, (previous, next) => events.policyChanged(previous, next, source)),
    withScanEvents: (inner) => fanOutScanRecords(inner, events.scanRecords),
    withActionEvents: (actionOptions) => ({
      ...actionOptions,
      onDecision: (req, decision) => {
        actionOptions.onDecision?.(req, decision);
        events.actionDecided(req, decision);
      },
    }),
    close: () => events.close(),
  };
}
