/**
 * The process logger: pino JSON lines. Never pass scanned content or PII in log fields:
 * log hashes, lengths and counts. Level from BULWARK_LOG_LEVEL (default "info").
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * `destination` defaults to stdout; tests pass a stream to read what would be logged (the
 * log-hygiene test needs the very options production uses, redaction included).
 */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const config = {
    name: options.name ?? 'bulwark',
    level: options.level ?? process.env.BULWARK_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    // Defence in depth: if a content-bearing field ever slips into a log call, it is censored.
    redact: {
      paths: ['content', '*.content', 'text', '*.text', 'prompt', '*.prompt', 'redactedContent', '*.redactedContent'],
      censor: '[omitted]',
    },
  };
  // No destination: pino's own stdout stream (unchanged behaviour for the CLI).
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A shared logger for modules that do not get one injected (CLI, tests). */
export const rootLogger: Logger = createLogger();
