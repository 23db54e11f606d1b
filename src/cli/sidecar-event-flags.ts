/**
 * The security-event flags of `bulwark sidecar` (sidecar-command.ts only spreads them in).
 * No brokers = events off (nothing is started). TLS and SASL secrets come from the
 * environment only, never from flags (which show up in `ps`).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { SecurityEventsOptions } from '../events/security-events.js';
import { oneOf, stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';
import { defaultDataDir } from './sidecar-control-plane-flags.js';

export const EVENT_FLAGS = {
  'kafka-brokers': { type: 'string' },
  'events-topic-prefix': { type: 'string' },
  'events-outbox-dir': { type: 'string' },
  'events-outbox-max-bytes': { type: 'string' },
  'events-scan-completed-sample': { type: 'string' },
  'events-format': { type: 'string' },
} as const;

export const EVENT_HELP = `
Security events to Kafka (docs/events.md; off unless brokers are given):
  --kafka-brokers HOST:PORT,...  bootstrap brokers (BULWARK_KAFKA_BROKERS, else KAFKA_BROKERS)
  --events-topic-prefix P        topics P.threat.detected, P.scan.completed, P.action.denied,
                                 P.policy.changed (BULWARK_EVENTS_TOPIC_PREFIX; default bulwark)
  --events-outbox-dir DIR        durable outbox (BULWARK_EVENTS_OUTBOX_DIR; default
                                 <data dir>/events)
  --events-outbox-max-bytes N    outbox disk budget, e.g. 268435456 or 256MiB; over it the
                                 oldest events are dropped and counted (default 256MiB)
  --events-scan-completed-sample R  share 0..1 of threat-free scans published as
                                 scan.completed (BULWARK_EVENTS_SCAN_COMPLETED_SAMPLE; default 0)
  --events-format json|protobuf  payload (BULWARK_EVENTS_FORMAT; default json = proto3 JSON)
  TLS: BULWARK_KAFKA_TLS=true, BULWARK_KAFKA_TLS_CA / _CERT / _KEY (PEM files; any implies TLS).
  SASL: BULWARK_KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
  BULWARK_KAFKA_SASL_USERNAME, BULWARK_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE).
`;

const SIZE_UNITS: Record<string, number> = { '': 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** "123", "64KiB", "256MiB", "2GiB" → bytes. */
export function byteSize(value: string, source: string): number {
  const m = /^(\d+)(KiB|MiB|GiB)?$/.exec(value.trim());
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2] ?? '']! : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 64 * 1024) throw new UsageError(`${source} must be a size of at least 64KiB (e.g. 268435456 or 256MiB)`);
  return bytes;
}

function ratio(value: string, source: string): number {
  const r = Number(value);
  if (value.trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) throw new UsageError(`${source} must be a number from 0 to 1`);
  return r;
}

function brokerList(value: string, source: string): string[] {
  const brokers = value.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) throw new UsageError(`${source}: "${b}" is not host:port`);
  return brokers;
}

function tlsOptions(env: NodeJS.ProcessEnv): boolean | ConnectionOptions | undefined {
  const read = (name: string): string | undefined => (env[name] ? readFileSync(env[name]!, 'utf8') : undefined);
  const files = { ca: read('BULWARK_KAFKA_TLS_CA'), cert: read('BULWARK_KAFKA_TLS_CERT'), key: read('BULWARK_KAFKA_TLS_KEY') };
  if (files.ca || files.cert || files.key) return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
  const flag = env.BULWARK_KAFKA_TLS?.toLowerCase();
  return flag === 'true' || flag === '1' ? true : undefined;
}

function saslOptions(env: NodeJS.ProcessEnv): SASLOptions | undefined {
  const mechanism = oneOf(env.BULWARK_KAFKA_SASL_MECHANISM || undefined, ['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'BULWARK_KAFKA_SASL_MECHANISM');
  if (!mechanism) return undefined;
  const username = env.BULWARK_KAFKA_SASL_USERNAME ?? '';
  const password = env.BULWARK_KAFKA_SASL_PASSWORD_FILE ? readFileSync(env.BULWARK_KAFKA_SASL_PASSWORD_FILE, 'utf8').trim() : (env.BULWARK_KAFKA_SASL_PASSWORD ?? '');
  if (!username || !password) throw new UsageError('SASL needs BULWARK_KAFKA_SASL_USERNAME and BULWARK_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE)');
  return { mechanism, username, password };
}

/** Events options from flags and environment; undefined (off) without brokers. */
export function sidecarEventOptions(
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  managed: { nodeId: string; dataDir: string } | undefined,
): SecurityEventsOptions | undefined {
  const flag = (name: string, envName: string): string | undefined => stringFlag(flags, name) ?? (env[envName] || undefined);
  const brokersText = stringFlag(flags, 'kafka-brokers') ?? (env.BULWARK_KAFKA_BROKERS || env.KAFKA_BROKERS || undefined);
  if (!brokersText) return undefined;
  const brokers = brokerList(brokersText, '--kafka-brokers');
  if (brokers.length === 0) return undefined;
  // Next to the record spill file when a control plane manages the sidecar.
  const dataDir = managed?.dataDir ?? (env.BULWARK_DATA_DIR || defaultDataDir(env));
  const options: SecurityEventsOptions = {
    nodeId: managed?.nodeId ?? (env.BULWARK_NODE_ID || hostname()),
    outboxDir: flag('events-outbox-dir', 'BULWARK_EVENTS_OUTBOX_DIR') ?? join(dataDir, 'events'),
    kafka: { brokers },
  };
  const maxBytes = flag('events-outbox-max-bytes', 'BULWARK_EVENTS_OUTBOX_MAX_BYTES');
  if (maxBytes !== undefined) options.outboxMaxBytes = byteSize(maxBytes, '--events-outbox-max-bytes');
  const prefix = flag('events-topic-prefix', 'BULWARK_EVENTS_TOPIC_PREFIX');
  if (prefix !== undefined) {
    if (!/^[A-Za-z0-9._-]{0,200}$/.test(prefix)) throw new UsageError('--events-topic-prefix may hold letters, digits, ".", "_" and "-" only');
    options.topicPrefix = prefix;
  }
  const sample = flag('events-scan-completed-sample', 'BULWARK_EVENTS_SCAN_COMPLETED_SAMPLE');
  if (sample !== undefined) options.scanCompletedSample = ratio(sample, '--events-scan-completed-sample');
  const format = oneOf(flag('events-format', 'BULWARK_EVENTS_FORMAT'), ['json', 'protobuf'] as const, '--events-format');
  if (format) options.format = format;
  const ssl = tlsOptions(env);
  if (ssl !== undefined) options.kafka.ssl = ssl;
  const sasl = saslOptions(env);
  if (sasl) options.kafka.sasl = sasl;
  return options;
}
