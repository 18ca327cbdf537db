import { describe, expect, it } from 'vitest';
import { SourceBuffer } from '../../../src/align/source-buffer.ts';
import { imageAt } from '../../helpers/samples.ts';

describe('SourceBuffer', () => {
  it('finds the latest sample at or before a time by binary search', () => {
    const b = new SourceBuffer();
    for (const t of [10n, 20n, 30n]) b.push(imageAt(t));
    expect(b.latestAtOrBefore(5n)).toBeUndefined();
    expect(b.latestAtOrBefore(20n)?.t).toBe(20n);
    expect(b.latestAtOrBefore(29n)?.t).toBe(20n);
    expect(b.latestAtOrBefore(99n)?.t).toBe(30n);
    expect(b.between(15n, 30n).map((s) => s.t)).toEqual([20n, 30n]);
  });

  it('inserts out-of-order arrivals in time order and counts them', () => {
    const b = new SourceBuffer();
    for (const t of [10n, 30n, 20n]) b.push(imageAt(t));
    expect(b.between(0n, 100n).map((s) => s.t)).toEqual([10n, 20n, 30n]);
    expect(b.stats().outOfOrder).toBe(1);
  });

  it('is bounded by count and bytes, evicting the oldest and reporting unused evictions', () => {
    const evicted: [bigint, boolean][] = [];
    const b = new SourceBuffer({ capacity: 3, onEvict: (s, used) => evicted.push([s.t, used]) });
    for (let i = 1; i <= 5; i++) {
      const s = imageAt(BigInt(i));
      b.push(s);
      if (i === 1) b.markUsed(s);
    }
    expect(b.size).toBe(3);
    expect(evicted).toEqual([[1n, true], [2n, false]]);
    expect(b.stats().evictedUnused).toBe(1);
    const small = new SourceBuffer({ capacity: 100, maxBytes: 12 });
    for (let i = 0; i < 5; i++) small.push(imageAt(BigInt(i)));
    expect(small.bytes).toBeLessThanOrEqual(12);
    expect(small.size).toBe(2);
  });

  it('keeps byte accounting right after a payload was transferred away', () => {
    const b = new SourceBuffer({ capacity: 2 });
    const s = imageAt(1n);
    b.push(s);
    const buf = s.payload.data.buffer as ArrayBuffer;
    structuredClone(buf, { transfer: [buf] });
    expect(s.payload.data.byteLength).toBe(0);
    b.push(imageAt(2n));
    b.push(imageAt(3n));
    expect(b.bytes).toBe(12);
  });

  it('evictBefore keeps the newest sample for holds; bounds never move back', () => {
    const b = new SourceBuffer();
    for (const t of [10n, 20n]) b.push(imageAt(t));
    b.evictBefore(100n);
    expect(b.size).toBe(1);
    b.advanceBound(50n);
    b.advanceBound(40n);
    expect(b.bound).toBe(50n);
  });
});
