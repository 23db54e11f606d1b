/**
 * What to do after an attempt, and how long to wait: exponential backoff with full jitter
 * (a fleet of sidecars whose receiver came back must not retry in lockstep), or the
 * receiver's Retry-After when it sent one (capped, so a hostile receiver cannot park alerts).
 */

/** The outcome of one HTTP attempt, content-free. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | undefined; retryAfterMs: number | undefined; reason: string }
  | { kind: 'rejected'; status: number };

/** 2xx delivered; 429, 5xx and 408 retried; other statuses rejected (resending will not help). */
export function classifyStatus(status: number, retryAfter: string | null, nowMs = Date.now()): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429 || status === 408 || status >= 500) return { kind: 'retry', status, retryAfterMs: parseRetryAfter(retryAfter, nowMs), reason: `HTTP ${status}` };
  return { kind: 'rejected', status };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[0-9]{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): Retry-After when given,
 * else a uniform draw in [0, min(maxMs, baseMs·2^(attempt-1))]; never above `maxMs`.
 */
export function retryDelayMs(attempt: number, retry: { baseMs: number; maxMs: number }, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retry.maxMs, retryAfterMs);
  const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(random() * ceiling);
}
