/**
 * The process logger: pino JSON lines. Never pass scanned content or PII in log fields:
 * log hashes, lengths and counts. Level from BULWARK_LOG_LEVEL (default "info").
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'bulwark',
    level: options.level ?? process.env.BULWARK_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    // Defence in depth: if a content-bearing field ever slips into a log call, it is censored.
    redact: {
      paths: ['content', '*.content', 'text', '*.text', 'prompt', '*.prompt', 'redactedContent', '*.redactedContent'],
      censor: '[omitted]',
    },
  });
}

/** A shared logger for modules that do not get one injected (CLI, tests). */
export const rootLogger: Logger = createLogger();
