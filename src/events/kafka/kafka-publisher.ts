/**
 * Sends outbox batches to Kafka with kafkajs (the maintained pure-JS client: no native
 * librdkafka build in the image). One `send` = one `sendBatch` across topics, acks from all
 * in-sync replicas (acks -1), gzip compression, idempotent producer with one request in
 * flight so a tenant's events keep their order within its partition (key = tenant id,
 * Java-compatible murmur2 partitioner).
 *
 * Retries: kafkajs retries a request a few times itself (short, bounded), then `send`
 * throws and the outbox pump backs off and retries the same batch later. Unbounded kafkajs
 * retries (its idempotent default) would park the pump inside one call for ever. Limiting
 * them gives up exactly-once across producer restarts, which events do not rely on: delivery
 * is at-least-once and consumers de-duplicate by event id.
 *
 * After a failure the producer is disconnected and reconnected on the next attempt: a
 * broker that came back (or changed address) is found again without a restart.
 */
import type { ConnectionOptions } from 'node:tls';
import { CompressionTypes, Kafka, logLevel, Partitioners, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../telemetry/logger.js';
import type { PendingMessage } from '../outbox/outbox.js';

export interface KafkaPublisherOptions {
  /** "host:port" of bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  /** TLS to the brokers: true (system CAs) or Node TLS options (ca, cert, key, servername). */
  ssl?: boolean | ConnectionOptions;
  /** SASL (plain, scram-sha-256, scram-sha-512); needs TLS in production. */
  sasl?: SASLOptions;
  /** 'gzip' (default) or 'none'. */
  compression?: 'gzip' | 'none';
  /** TCP connect timeout (default 3 s). */
  connectionTimeoutMs?: number;
  /** Produce request timeout (default 10 s). */
  requestTimeoutMs?: number;
  logger?: Logger;
}

/**
 * kafkajs log lines → our logger at debug (they carry brokers and topics, never message
 * values). Failures reach the operator once per failed attempt, with the error, from the
 * outbox pump's warning; kafkajs's own lines (several per attempt, and a warning about our
 * bounded retries on every connect) would only repeat them.
 */
function kafkaLogCreator(logger: Logger | undefined) {
  return () =>
    ({ level, log }: LogEntry): void => {
      if (!logger) return;
      const { message, broker } = log;
      logger.debug({ kafka: typeof broker === 'string' ? broker : '', kafkaLevel: level }, `kafkajs: ${String(message)}`);
    };
}

export class KafkaPublisher {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly options: KafkaPublisherOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'bulwark-sidecar',
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(options.logger),
    });
  }

  /** Publishes a batch; resolves once every message is acknowledged by its partition's ISR. */
  async send(batch: readonly PendingMessage[]): Promise<void> {
    const byTopic = new Map<string, PendingMessage[]>();
    for (const m of batch) {
      const list = byTopic.get(m.destination);
      if (list) list.push(m);
      else byTopic.set(m.destination, [m]);
    }
    const producer = await this.connected();
    try {
      await producer.sendBatch({
        acks: -1,
        compression: this.options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP,
        topicMessages: [...byTopic].map(([topic, messages]) => ({
          topic,
          messages: messages.map((m) => ({ key: m.key, value: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength), headers: m.headers })),
        })),
      });
    } catch (err) {
      await this.reset();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      });
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
