import { describe, expect, it } from 'vitest';
import { orderedMap } from '../../src/cli/ordered-map.js';

async function* numbers(n: number, onPull?: (i: number) => void): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    onPull?.(i);
    yield i;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('orderedMap', () => {
  it('emits results in input order although later items finish first', async () => {
    const out: number[] = [];
    await orderedMap(numbers(50), 8, async (i) => {
      await sleep((50 - i) % 7);
      return i * 10;
    }, (r) => void out.push(r));
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
  });

  it('never has more than `limit` calls in flight and pulls input lazily', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let pulledAhead = 0;
    let emitted = 0;
    await orderedMap(
      numbers(200, (i) => (pulledAhead = Math.max(pulledAhead, i - emitted))),
      5,
      async (i) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(i % 3);
        inFlight -= 1;
        return i;
      },
      () => void (emitted += 1),
    );
    expect(maxInFlight).toBe(5);
    expect(pulledAhead).toBeLessThanOrEqual(5);
    expect(emitted).toBe(200);
  });

  it('propagates a rejection when the failed item reaches the head, without unhandled rejections', async () => {
    const emitted: number[] = [];
    await expect(
      orderedMap(numbers(10), 4, async (i) => {
        if (i === 6) throw new Error('boom');
        await sleep(1);
        return i;
      }, (r) => void emitted.push(r)),
    ).rejects.toThrow('boom');
    expect(emitted).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
