import { describe, expect, it } from 'vitest';
import { ExactSynchronizer } from '../../../src/align/policies/exact.ts';
import { LatestPolicy } from '../../../src/align/policies/latest.ts';
import { TriggeredSynchronizer } from '../../../src/align/policies/triggered.ts';
import { WindowPolicy } from '../../../src/align/policies/window.ts';
import type { Synchronizer } from '../../../src/align/synchronizer.ts';
import type { AlignedSet } from '../../../src/align/types.ts';
import { ManualClock } from '../../../src/core/clocks.ts';
import type { AnySample } from '../../../src/core/sample.ts';
import { eegChunk, imageAt } from '../../helpers/samples.ts';

const MS = 1_000_000n;

describe('ExactSynchronizer', () => {
  it('sets only of equal stamps; a stamp a live source lacks is dropped (counted), a silent source is missing', () => {
    const s = new ExactSynchronizer({ inputs: [{ modality: 'camera', sourceId: 'a', deadlineNs: 50n * MS }, { modality: 'depth', sourceId: 'b', deadlineNs: 50n * MS }] });
    for (const [t, id] of [[10, 'a'], [10, 'b'], [20, 'a'], [30, 'a'], [30, 'b']] as const) s.push(imageAt(BigInt(t) * MS, 0, id));
    const sets = s.poll(0n);
    expect(sets.map((x) => x.t)).toEqual([10n * MS, 30n * MS]);
    expect(sets[1]?.drops).toEqual({ a: { late: 0, overflow: 0, unmatched: 1, superseded: 0, unused: 0 } }); // a@20: b skipped 20
    s.push(imageAt(100n * MS, 0, 'a'));
    s.advanceBound('b', 151n * MS); // b has nothing up to 150 ms: silent around 100 ms
    expect(s.poll(0n).map((x) => x.mask)).toEqual([{ camera: 'fresh', depth: 'missing' }]);
  });
});

/** The caller loop of README.md, on a ManualClock: push on arrival, poll on arrival and at nextDeadline(). */
function wire(clock: ManualClock, sync: Synchronizer, out: { at: bigint; set: AlignedSet }[]): (s: AnySample) => void {
  let timer: { cancel(): void } | undefined;
  const emit = (): void => {
    for (const set of sync.poll(clock.now())) out.push({ at: clock.now(), set });
    timer?.cancel();
    const due = sync.nextDeadline();
    if (due !== undefined) timer = clock.at(due > clock.now() ? due : clock.now() + 1n, emit);
  };
  emit();
  return (s) => {
    sync.push(s);
    emit();
  };
}

describe('TriggeredSynchronizer (latest + window behind the Synchronizer interface)', () => {
  it('fixed rate: a set per tick as soon as it has passed; a silent camera is missing, never waited for', async () => {
    const clock = new ManualClock(0n);
    const sync = new TriggeredSynchronizer({
      inputs: [
        { modality: 'camera', sourceId: 'cam', policy: new LatestPolicy({ maxAgeNs: 50n * MS }) },
        { modality: 'eeg', sourceId: 'eeg', policy: new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS }), maxLatencyNs: 20n * MS },
      ],
      trigger: { everyNs: 100n * MS },
      buffer: () => ({ capacity: 1000 }),
    });
    const out: { at: bigint; set: AlignedSet }[] = [];
    const push = wire(clock, sync, out);
    // EEG: 10-sample chunks (40 ms) for 2 s, each arriving 5 ms after its last sample. Camera: 30 Hz for 0.5 s, +2 ms.
    const arrivals: { at: bigint; s: AnySample }[] = [];
    for (let j = 0; j < 50; j++) {
      const c = eegChunk(j * 10, 10, { seq: j });
      arrivals.push({ at: (c.tEnd as bigint) + 5n * MS, s: c });
    }
    for (let k = 0; k < 15; k++) arrivals.push({ at: BigInt(k) * 33n * MS + 2n * MS, s: imageAt(BigInt(k) * 33n * MS, k, 'cam') });
    arrivals.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const a of arrivals) {
      await clock.advanceTo(a.at);
      push(a.s);
    }
    await clock.advanceTo(2100n * MS);
    const late = out.filter((o) => o.set.t >= 1000n * MS);
    expect(late.length).toBeGreaterThan(5);
    for (const o of late) {
      expect(o.set.mask.camera).toBe('missing');
      expect(o.at - o.set.t).toBeLessThanOrEqual(20n * MS + 1n); // the eeg deadline, no more
    }
    expect(sync.stats().states.eeg?.fresh).toBeGreaterThan(0);
  });

  it('on-trigger: one set per trigger sample; an out-of-order trigger sample is skipped and counted', () => {
    const sync = new TriggeredSynchronizer({ inputs: [{ modality: 'camera', sourceId: 'cam', policy: new LatestPolicy({ maxAgeNs: 50n * MS }) }], trigger: { on: 'cam' } });
    sync.push(imageAt(10n * MS, 1, 'cam'));
    sync.push(imageAt(20n * MS, 2, 'cam'));
    sync.push(imageAt(15n * MS, 3, 'cam'));
    expect(sync.poll(30n * MS).map((s) => s.t)).toEqual([10n * MS, 20n * MS]);
    expect(sync.stats().ticksDropped).toBe(1);
  });
});
