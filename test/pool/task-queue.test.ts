import { describe, expect, it } from 'vitest';
import { TaskQueue } from '../../src/pool/task-queue.js';

describe('TaskQueue', () => {
  it('is first in, first out', () => {
    const q = new TaskQueue<number>();
    for (const n of [1, 2, 3]) q.push(n);
    expect(q.size).toBe(3);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([1, 2, 3, undefined]);
    expect(q.size).toBe(0);
  });

  it('removes any entry through its handle, once', () => {
    const q = new TaskQueue<string>();
    const a = q.push('a');
    const b = q.push('b');
    const c = q.push('c');
    b.remove();
    b.remove();
    expect(q.size).toBe(2);
    c.remove();
    a.remove();
    expect(q.size).toBe(0);
    q.push('d');
    expect(q.drain()).toEqual(['d']);
  });

  it('ignores removal of an entry already shifted', () => {
    const q = new TaskQueue<string>();
    const a = q.push('a');
    q.push('b');
    expect(q.shift()).toBe('a');
    a.remove();
    expect(q.size).toBe(1);
    expect(q.drain()).toEqual(['b']);
  });
});
