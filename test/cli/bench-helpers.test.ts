// The benchmark's pure helpers (bench/): its content must be deterministic and exactly
// sized, its percentiles right, or two bench runs are not comparable.
import { describe, expect, it } from 'vitest';
import { benchContent } from '../../bench/bench-content.js';
import { summarize } from '../../bench/latency-stats.js';

describe('benchContent', () => {
  it.each([256, 1024, 8192, 65536])('is exactly %i bytes of UTF-8 and the same on every call', (size) => {
    const text = benchContent(size);
    expect(Buffer.byteLength(text, 'utf8')).toBe(size);
    expect(benchContent(size)).toBe(text);
  });

  it('contains some PII (emails or phone numbers) from 1 KB up, and differs between sizes', () => {
    const kb = benchContent(1024);
    expect(/@example\.|555-0\d{3}/.test(kb)).toBe(true);
    expect(benchContent(8192).slice(0, 256)).not.toBe(benchContent(256));
  });
});

describe('summarize', () => {
  it('uses nearest-rank percentiles and wall time for the rate', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    const s = summarize(samples.reverse(), 2, 2000);
    expect(s).toMatchObject({ count: 100, errors: 2, p50: 50, p95: 95, p99: 99, max: 100, perSecond: 50 });
    expect(s.mean).toBeCloseTo(50.5);
  });

  it('reports NaN percentiles and zero rate without samples', () => {
    const s = summarize([], 3, 0);
    expect(s.p99).toBeNaN();
    expect(s.perSecond).toBe(0);
    expect(s.errors).toBe(3);
  });
});
