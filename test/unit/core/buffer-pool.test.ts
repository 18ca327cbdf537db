import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/core/buffer-pool.ts';

describe('BufferPool', () => {
  it('reuses released buffers of the same size and ignores detached ones', () => {
    const pool = new BufferPool(2);
    const a = pool.acquire(16);
    pool.release(a);
    expect(pool.acquire(16)).toBe(a);
    expect(pool.acquire(32)).not.toBe(a);
    const moved = pool.acquire(8);
    structuredClone(moved, { transfer: [moved] });
    pool.release(moved);
    expect(pool.stats()).toMatchObject({ idle: 0 });
  });

  it('keeps at most maxPerSize idle buffers per size', () => {
    const pool = new BufferPool(2);
    const bufs = [pool.acquire(4), pool.acquire(4), pool.acquire(4)];
    for (const b of bufs) pool.release(b);
    expect(pool.stats().idle).toBe(2);
  });
});
