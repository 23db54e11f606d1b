/**
 * The sidecar's side of webhook alerts, shaped like src/events/sidecar-events.ts so
 * start-sidecar.ts composes both the same way: a scan record sink that turns scans with
 * threats into THREAT_DETECTED SecurityEvents, and a CheckAction decision hook for
 * ACTION_DENIED ones, both handed to {@link WebhookAlerts} (which filters per destination).
 * Without configuration every hook returns its input: alerts cost nothing when off.
 *
 * The events are built with the same builders as the Kafka events (security-event-builders.ts)
 * from the same content-free records, so the generic JSON alert is byte-for-byte the
 * SecurityEvent JSON form.
 */
import { hostname } from 'node:os';
import { toJson } from '@bufbuild/protobuf';
import type { Registry } from 'prom-client';
import { SecurityEventSchema, type SecurityEvent } from '../../../gen/bulwark/v1/security_event_pb.js';
import type { AgentActionOptions } from '../../sidecar/agent-action-service.js';
import { createRecordBuilder, type ScanRecordSink } from '../../sidecar/scan-record-sink.js';
import type { Logger } from '../../telemetry/logger.js';
import { fanOutScanRecords } from '../scan-record-fan-out.js';
import type { SidecarEvents } from '../sidecar-events.js';
import { actionEvent, isReportedDecision, scanEvent } from '../security-event-builders.js';
import { WebhookAlerts, type WebhookAlertsOptions } from './webhook-alerts.js';
import { registerAlertMetrics } from './alert-metrics.js';

/** What the sidecar is given: destinations and the outbox parent directory. */
export type SidecarAlertsOptions = Omit<WebhookAlertsOptions, 'logger'> & {
  /** SecurityEvent.sidecar_id (default BULWARK_NODE_ID, else the host name). */
  nodeId?: string;
};

export interface SidecarAlerts {
  readonly alerts: WebhookAlerts | undefined;
  /** `inner` plus alerts for scans with threats. */
  withScanAlerts(inner: ScanRecordSink | undefined): ScanRecordSink | undefined;
  /** The options plus a decision hook alerting on denied actions. */
  withActionAlerts(options: AgentActionOptions): AgentActionOptions;
  close(): Promise<void>;
}

const OFF: SidecarAlerts = {
  alerts: undefined,
  withScanAlerts: (inner) => inner,
  withActionAlerts: (options) => options,
  close: async () => {},
};

/** Starts alerts (replaying their outboxes); `registry`: the sidecar's Prometheus registry, when metrics are on. */
export async function startSidecarAlerts(options: SidecarAlertsOptions | undefined, logger: Logger, registry?: Registry): Promise<SidecarAlerts> {
  if (!options || options.destinations.length === 0) return OFF;
  const { nodeId = process.env.BULWARK_NODE_ID || hostname(), ...alertOptions } = options;
  const alerts = await WebhookAlerts.start({ ...alertOptions, logger });
  if (registry) registerAlertMetrics(registry, alerts);
  const publish = (event: SecurityEvent): void => alerts.publishEvent(toJson(SecurityEventSchema, event));
  const scanAlerts = createRecordBuilder({
    nodeId,
    records: () => true,
    // Events drop the content hash; a constant key is fine because it is never used.
    hashKeyOf: () => 'unused',
    push: (record) => {
      if (record.threats.length > 0) publish(scanEvent(record));
    },
    onError: (err) => logger.error({ err: (err as Error)?.message }, 'building an alert failed; alert skipped'),
  });
  return {
    alerts,
    withScanAlerts: (inner) => fanOutScanRecords(inner, scanAlerts),
    withActionAlerts: (actionOptions) => ({
      ...actionOptions,
      onDecision: (req, decision) => {
        actionOptions.onDecision?.(req, decision);
        try {
          if (isReportedDecision(decision)) publish(actionEvent(req, decision, nodeId));
        } catch (err) {
          logger.error({ err: (err as Error)?.message }, 'building an alert failed; alert skipped');
        }
      },
    }),
    close: () => alerts.close(),
  };
}

/**
 * `events` with alerts folded in, so start-sidecar.ts keeps one hook object: scan records and
 * action decisions reach both, `close` closes events first (they may still emit) then alerts.
 */
export function withAlerts(events: SidecarEvents, alerts: SidecarAlerts): SidecarEvents {
  if (alerts === OFF) return events;
  return {
    ...events,
    watchPolicy: (pool) => events.watchPolicy(pool),
    withScanEvents: (inner) => alerts.withScanAlerts(events.withScanEvents(inner)),
    withActionEvents: (options) => alerts.withActionAlerts(events.withActionEvents(options)),
    close: async () => {
      await events.close();
      await alerts.close();
    },
  };
}
