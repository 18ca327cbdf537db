import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clocks.ts';
import { every, formatDuration, msToNs, nsToIso, parseDuration, sleepUntil } from '../../../src/core/time.ts';

describe('parseDuration', () => {
  it.each([
    ['100ms', 100_000_000n],
    ['1s', 1_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['250us', 250_000n],
    ['2m', 120_000_000_000n],
    [' 70 ms ', 70_000_000n],
  ])('%s', (text, ns) => expect(parseDuration(text)).toBe(ns));

  it.each(['', '10', 'ms', '1 sec', '-5ms', '1e3ms'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats back', () => {
    expect(formatDuration(100_000_000n)).toBe('100ms');
    expect(formatDuration(1_500_000_000n)).toBe('1.5s');
  });
});

describe('ManualClock', () => {
  it('fires timers in time order, reading the timer time inside the callback', async () => {
    const clock = new ManualClock(0n);
    const seen: [string, bigint][] = [];
    clock.at(30n, () => seen.push(['b', clock.now()]));
    clock.at(10n, () => seen.push(['a', clock.now()]));
    clock.at(30n, () => seen.push(['c', clock.now()]));
    const cancelled = clock.at(20n, () => seen.push(['x', clock.now()]));
    cancelled.cancel();
    await clock.advanceTo(25n);
    expect(seen).toEqual([['a', 10n]]);
    expect(clock.now()).toBe(25n);
    await clock.advance(10n);
    expect(seen).toEqual([['a', 10n], ['b', 30n], ['c', 30n]]);
  });

  it('cannot go back', async () => {
    const clock = new ManualClock(100n);
    await expect(clock.advanceTo(50n)).rejects.toThrow(RangeError);
  });

  it('lets async consumers run between timers (sleepUntil resolves before the next instant)', async () => {
    const clock = new ManualClock(0n);
    const log: string[] = [];
    void (async () => {
      await sleepUntil(clock, 10n);
      log.push(`woke@${clock.now()}`);
    })();
    clock.at(20n, () => log.push('t20'));
    await clock.advanceTo(30n);
    expect(log).toEqual(['woke@10', 't20']);
  });
});

describe('every', () => {
  it('ticks on the grid and skips (does not bunch) missed ticks', async () => {
    const clock = new ManualClock(0n);
    const ticks: bigint[] = [];
    const timer = every(clock, 100n, 100n, (t) => ticks.push(t));
    await clock.advanceTo(350n);
    expect(ticks).toEqual([100n, 200n, 300n]);
    timer.cancel();
    await clock.advanceTo(1000n);
    expect(ticks).toHaveLength(3);
  });

  it('rejects a zero period', () => {
    expect(() => every(new ManualClock(0n), 0n, 0n, () => {})).toThrow(RangeError);
  });
});

it('nsToIso / msToNs', () => {
  expect(nsToIso(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123Z');
  expect(msToNs(1.5)).toBe(1_500_000n);
});
