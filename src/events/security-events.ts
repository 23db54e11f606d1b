/**
 * The sidecar's security events: builders → durable outbox → Kafka.
 *
 * The scan and action paths only summarise (counts per rule) and push a deferred builder onto
 * an in-memory queue (bounded at 50 000; over it events are dropped and counted). Building the
 * message, its id and its JSON/protobuf encoding happen in a setImmediate drain, off the call
 * that served the scan (measured: protobuf-es message creation plus toJson cost tens to
 * hundreds of microseconds under load, too much for the scan path). The outbox writes queued
 * events to disk in fsynced batches; the pump publishes what is on disk and acknowledges it
 * after Kafka did. A broker outage or a restart loses nothing (bounded by the outbox's disk
 * budget); a failing event build or a full queue is counted and logged, never a failed scan.
 *
 * Which scans become events: every scan with a threat (THREAT_DETECTED); scans without one
 * (SCAN_COMPLETED) only with probability `scanCompletedSample` (default 0 = none).
 */
import { PolicySource, type SecurityEvent } from '../../gen/bulwark/v1/security_event_pb.js';
import type { ActionDecisionData, ActionRequestData } from '../actions/action-names.js';
import type { PolicySet } from '../policy/types.js';
import type { ScanRecordSink } from '../sidecar/scan-record-sink.js';
import type { Logger } from '../telemetry/logger.js';
import { DEFAULT_TOPIC_PREFIX, eventMessage, type EventPayloadFormat } from './event-encoding.js';
import { KafkaPublisher, type KafkaPublisherOptions } from './kafka/kafka-publisher.js';
import { Outbox, type OutboxStats, type PendingMessage } from './outbox/outbox.js';
import { startOutboxPump, type OutboxPump, type OutboxPumpOptions } from './outbox/outbox-pump.js';
import { createScanEventSink } from './scan-event-sink.js';
import { actionEvent, isReportedDecision, policyChangeEvents, scanEvent } from './security-event-builders.js';

/** Where a policy set comes from (the POLICY_CHANGED event's source). */
export type PolicySourceName = 'file' | 'control-plane';

export interface SecurityEventsOptions {
  /** This sidecar (SecurityEvent.sidecar_id). */
  nodeId: string;
  /** The outbox directory. */
  outboxDir: string;
  /** The outbox's disk budget (default 256 MiB; the oldest events are dropped over it). */
  outboxMaxBytes?: number;
  /** Topic prefix: topics are "<prefix>.threat.detected" etc. (default "bulwark"). */
  topicPrefix?: string;
  /** Payload format (default 'json', proto3 JSON). */
  format?: EventPayloadFormat;
  /** Share of threat-free scans published as SCAN_COMPLETED, 0..1 (default 0). */
  scanCompletedSample?: number;
  kafka: Omit<KafkaPublisherOptions, 'logger'>;
  /** Delivery loop tuning (tests shorten the backoff). */
  pump?: Pick<OutboxPumpOptions, 'batchSize' | 'backoffBaseMs' | 'backoffMaxMs'>;
}

/** Something that delivers outbox batches (Kafka; tests may pass another). */
export interface EventPublisher {
  send(batch: PendingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Builders waiting for the drain at most (about 30 MB of summaries). */
const MAX_DEFERRED = 50_000;

export class SecurityEvents {
  private readonly listeners: Array<(event: SecurityEvent) => void> = [];
  /** Feed this the scan handlers' records (fan it out with record shipping). */
  readonly scanRecords: ScanRecordSink;
  private readonly deferred: Array<() => SecurityEvent[]> = [];
  private drainScheduled = false;
  private deferredDropped = 0;

  private constructor(
    private readonly options: SecurityEventsOptions,
    private readonly outbox: Outbox,
    private readonly publisher: EventPublisher,
    private readonly pump: OutboxPump,
    private readonly logger: Logger,
  ) {
    this.scanRecords = createScanEventSink({
      nodeId: options.nodeId,
      scanCompletedSample: Math.min(1, Math.max(0, options.scanCompletedSample ?? 0)),
      emit: (record) => this.defer(() => [scanEvent(record)]),
      onError: (err) => this.logger.error({ err: (err as Error)?.message }, 'building a security event failed; event skipped'),
    });
  }

  /** Opens (replaying) the outbox and starts publishing. */
  static async start(options: SecurityEventsOptions, logger: Logger, publisher?: EventPublisher): Promise<SecurityEvents> {
    const outbox = await Outbox.open({ dir: options.outboxDir, maxBytes: options.outboxMaxBytes, logger });
    const sender = publisher ?? new KafkaPublisher({ ...options.kafka, logger });
    const pump = startOutboxPump(outbox, { ...options.pump, send: (batch) => sender.send(batch), logger });
    const replayed = outbox.stats().depth;
    logger.info({ brokers: options.kafka.brokers, outbox: options.outboxDir, pending: replayed, topicPrefix: options.topicPrefix ?? DEFAULT_TOPIC_PREFIX }, 'security events to Kafka');
    return new SecurityEvents(options, outbox, sender, pump, logger);
  }

  /** A CheckAction decision: DENY and REQUIRE_APPROVAL become ACTION_DENIED events. */
  actionDecided(req: ActionRequestData, decision: ActionDecisionData): void {
    if (!isReportedDecision(decision)) return;
    const at = Date.now();
    this.defer(() => [actionEvent(req, decision, this.options.nodeId, at)]);
  }

  /** The sidecar switched policy sets. */
  policyChanged(previous: PolicySet, next: PolicySet, source: PolicySourceName): void {
    const from = source === 'file' ? PolicySource.FILE : PolicySource.CONTROL_PLANE;
    const at = Date.now();
    this.defer(() => policyChangeEvents(previous, next, from, this.options.nodeId, at));
  }

  /**
   * Also hands every emitted event to `listener` when it is queued for the outbox (webhook
   * alerts: the alert then carries the same event id as the Kafka record). A listener that
   * throws is logged.
   */
  onEmit(listener: (event: SecurityEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Queues one event for the outbox (synchronous; never throws). */
  emit(event: SecurityEvent): void {
    this.guarded(() => {
      this.outbox.enqueue(eventMessage(event, { topicPrefix: this.options.topicPrefix ?? DEFAULT_TOPIC_PREFIX, format: this.options.format ?? 'json' }));
    });
    for (const listener of this.listeners) this.guarded(() => listener(event));
  }

  /** Outbox depth, bytes, age of the oldest event, dropped, published, failed attempts. */
  stats(): OutboxStats {
    const stats = this.outbox.stats();
    return { ...stats, depth: stats.depth + this.deferred.length, dropped: stats.dropped + this.deferredDropped };
  }

  /** Resolves when every event emitted so far is on disk. */
  flush(): Promise<void> {
    this.drain();
    return this.outbox.flush();
  }

  /** Writes queued events to disk, stops publishing (what is left stays for the next start). */
  async close(): Promise<void> {
    this.drain();
    await this.outbox.flush();
    await this.pump.stop();
    await this.publisher.close();
    await this.outbox.close();
  }

  /** The scan/action path's part: queue the builder, drain on the next turn of the loop. */
  private defer(build: () => SecurityEvent[]): void {
    if (this.deferred.length >= MAX_DEFERRED) {
      if (this.deferredDropped++ % 1000 === 0) this.logger.warn({ dropped: this.deferredDropped }, 'security events queue full; events dropped');
      return;
    }
    this.deferred.push(build);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.drainScheduled = false;
    const builds = this.deferred.splice(0);
    for (const build of builds) this.guarded(() => build().forEach((event) => this.emit(event)));
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err: (err as Error)?.message }, 'security event failed; event skipped');
    }
  }
}
