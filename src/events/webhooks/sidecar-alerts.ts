/**
 * The sidecar's side of webhook alerts, shaped like src/events/sidecar-events.ts so
 * start-sidecar.ts composes both in one line ({@link withAlerts}). Without configuration every
 * hook returns its input: alerts cost nothing when off.
 *
 * Where alerts come from:
 * - Kafka events on: every event SecurityEvents emits (its `onEmit`), so an alert carries the
 *   same event id as the Kafka record and each event is built once.
 * - Kafka events off: a scan event sink and a CheckAction decision hook of its own, with the
 *   same builders (security-event-builders.ts), so the generic JSON alert is the SecurityEvent
 *   JSON form either way.
 * WebhookAlerts keeps only THREAT_DETECTED and ACTION_DENIED and filters per destination.
 */
import { hostname } from 'node:os';
import { toJson } from '@bufbuild/protobuf';
import type { Registry } from 'prom-client';
import { SecurityEventSchema, SecurityEventType, type SecurityEvent } from '../../../gen/bulwark/v1/security_event_pb.js';
import type { AgentActionOptions } from '../../sidecar/agent-action-service.js';
import type { ScanRecordSink } from '../../sidecar/scan-record-sink.js';
import type { Logger } from '../../telemetry/logger.js';
import { createScanEventSink } from '../scan-event-sink.js';
import { fanOutScanRecords } from '../scan-record-fan-out.js';
import { actionEvent, isReportedDecision, scanEvent } from '../security-event-builders.js';
import type { SidecarEvents } from '../sidecar-events.js';
import { registerAlertMetrics } from './alert-metrics.js';
import { WebhookAlerts, type WebhookAlertsOptions } from './webhook-alerts.js';

/** What the sidecar is given: destinations and the outbox parent directory. */
export type SidecarAlertsOptions = Omit<WebhookAlertsOptions, 'logger'> & {
  /** SecurityEvent.sidecar_id (default BULWARK_NODE_ID, else the host name). */
  nodeId?: string;
};

export interface SidecarAlerts {
  readonly alerts: WebhookAlerts | undefined;
  /** Alerts for an event when it is one that can alert (threat detected, action denied). */
  publish(event: SecurityEvent): void;
  /** `inner` plus alerts for scans with threats (used when Kafka events are off). */
  withScanAlerts(inner: ScanRecordSink | undefined): ScanRecordSink | undefined;
  /** The options plus a decision hook alerting on denied actions (used when Kafka events are off). */
  withActionAlerts(options: AgentActionOptions): AgentActionOptions;
  close(): Promise<void>;
}

const OFF: SidecarAlerts = {
  alerts: undefined,
  publish: () => {},
  withScanAlerts: (inner) => inner,
  withActionAlerts: (options) => options,
  close: async () => {},
};

const ALERTING_TYPES = new Set([SecurityEventType.THREAT_DETECTED, SecurityEventType.ACTION_DENIED]);

/** Starts alerts (replaying their outboxes); `registry`: the sidecar's Prometheus registry, when metrics are on. */
export async function startSidecarAlerts(options: SidecarAlertsOptions | undefined, logger: Logger, registry?: Registry): Promise<SidecarAlerts> {
  if (!options || options.destinations.length === 0) return OFF;
  const { nodeId = process.env.BULWARK_NODE_ID || hostname(), ...alertOptions } = options;
  const alerts = await WebhookAlerts.start({ ...alertOptions, logger });
  if (registry) registerAlertMetrics(registry, alerts);
  const onError = (err: unknown): void => logger.error({ err: (err as Error)?.message }, 'building an alert failed; alert skipped');
  const publish = (event: SecurityEvent): void => {
    // Only alerting types pay for the JSON form (sampled SCAN_COMPLETED and POLICY_CHANGED pass by).
    if (ALERTING_TYPES.has(event.type)) alerts.publishEvent(toJson(SecurityEventSchema, event));
  };
  const scanAlerts = createScanEventSink({ nodeId, scanCompletedSample: 0, emit: (record) => publish(scanEvent(record)), onError });
  return {
    alerts,
    publish,
    withScanAlerts: (inner) => fanOutScanRecords(inner, scanAlerts),
    withActionAlerts: (actionOptions) => ({
      ...actionOptions,
      onDecision: (req, decision) => {
        actionOptions.onDecision?.(req, decision);
        try {
          if (isReportedDecision(decision)) publish(actionEvent(req, decision, nodeId));
        } catch (err) {
          onError(err);
        }
      },
    }),
    close: () => alerts.close(),
  };
}

/**
 * `events` with alerts folded in, so start-sidecar.ts keeps one hook object. With Kafka events
 * on, alerts listen to what they emit; otherwise alerts hook scans and decisions themselves.
 * `close` closes events first (they may still emit), then alerts.
 */
export function withAlerts(events: SidecarEvents, alerts: SidecarAlerts): SidecarEvents {
  if (alerts === OFF) return events;
  const close = async (): Promise<void> => {
    await events.close();
    await alerts.close();
  };
  if (events.events) {
    events.events.onEmit((event) => alerts.publish(event));
    return { ...events, close };
  }
  return {
    ...events,
    withScanEvents: (inner) => alerts.withScanAlerts(events.withScanEvents(inner)),
    withActionEvents: (options) => alerts.withActionAlerts(events.withActionEvents(options)),
    close,
  };
}
