import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../../src/core/async-queue.ts';

describe('AsyncQueue', () => {
  it('delivers in order and ends after close', async () => {
    const q = new AsyncQueue<number>(10);
    q.push(1);
    q.push(2);
    q.close();
    const got: number[] = [];
    for await (const x of q) got.push(x);
    expect(got).toEqual([1, 2]);
  });

  it('drops the oldest when full, counts it, and hands it back', () => {
    const q = new AsyncQueue<number>(2);
    expect(q.push(1)).toBeUndefined();
    q.push(2);
    expect(q.push(3)).toBe(1);
    expect(q.dropped).toBe(1);
    expect(q.size).toBe(2);
  });

  it('wakes a waiting consumer', async () => {
    const q = new AsyncQueue<string>();
    const p = q.next();
    q.push('a');
    await expect(p).resolves.toEqual({ value: 'a', done: false });
  });
});
