/** The pure parts of delivery: status classes, Retry-After forms, backoff bounds, the token bucket. */
import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter, retryDelayMs } from '../../../src/events/webhooks/retry-schedule.js';
import { TokenBucket } from '../../../src/events/webhooks/token-bucket.js';

describe('retry schedule', () => {
  it('2xx delivered; 408, 429, 5xx retried; other 4xx and 3xx rejected', () => {
    expect(classifyStatus(204, null).kind).toBe('delivered');
    for (const s of [408, 429, 500, 502, 503, 504]) expect(classifyStatus(s, null).kind).toBe('retry');
    for (const s of [301, 302, 400, 401, 403, 404, 410, 413, 422]) expect(classifyStatus(s, null).kind).toBe('rejected');
  });

  it('Retry-After as seconds or an HTTP date; junk ignored', () => {
    const now = Date.parse('2026-11-22T05:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 05:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 04:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(classifyStatus(503, '7', now)).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
  });

  it('backoff doubles under a full-jitter draw, is capped, and Retry-After wins (capped too)', () => {
    const retry = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, retry, undefined, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelayMs(3, retry, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(1, retry, 600, () => 1)).toBe(600);
    expect(retryDelayMs(1, retry, 3_600_000, () => 1)).toBe(1_000);
  });
});

describe('token bucket', () => {
  it('allows the burst, then one token per 60/perMinute seconds', () => {
    let t = 0;
    const bucket = new TokenBucket({ perMinute: 60, burst: 3 }, () => t);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.waitMs()).toBe(1_000);
    t = 999;
    expect(bucket.tryTake()).toBe(false);
    t = 1_000;
    expect(bucket.tryTake()).toBe(true);
    t = 100_000; // a long quiet period refills to the burst, not beyond
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });
});
