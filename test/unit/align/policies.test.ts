import { describe, expect, it } from 'vitest';
import { Aligner } from '../../../src/align/aligner.ts';
import { LatestPolicy } from '../../../src/align/policies/latest.ts';
import { WindowPolicy } from '../../../src/align/policies/window.ts';
import { SourceBuffer } from '../../../src/align/source-buffer.ts';
import type { Sample } from '../../../src/core/sample.ts';
import { eegChunk, imageAt } from '../../helpers/samples.ts';

const MS = 1_000_000n;

describe('LatestPolicy', () => {
  it('fresh, then held, then missing once older than maxAge', () => {
    const b = new SourceBuffer();
    const p = new LatestPolicy({ maxAgeNs: 50n * MS });
    expect(p.select(b, 0n)).toEqual({ state: 'missing', reason: 'no-data' });
    b.push(imageAt(100n * MS, 1));
    expect(p.select(b, 120n * MS)).toMatchObject({ state: 'fresh', ageNs: 20n * MS });
    expect(p.select(b, 140n * MS)).toMatchObject({ state: 'held', ageNs: 40n * MS });
    expect(p.select(b, 151n * MS)).toMatchObject({ state: 'missing', reason: 'stale' });
    b.push(imageAt(160n * MS, 2));
    expect(p.select(b, 170n * MS)).toMatchObject({ state: 'fresh', sample: { seq: 2 } });
  });

  it('never uses a sample from after the trigger', () => {
    const b = new SourceBuffer();
    b.push(imageAt(100n, 1));
    b.push(imageAt(300n, 2));
    expect(new LatestPolicy({ maxAgeNs: 1000n }).select(b, 200n).sample?.seq).toBe(1);
  });
});

describe('WindowPolicy', () => {
  const rate = 250;
  const fill = (b: SourceBuffer, chunks: number, n = 10, skip?: number): void => {
    for (let k = 0; k < chunks; k++) if (k !== skip) b.push(eegChunk(k * n, n, { rate, seq: k }));
  };

  it('returns exactly the newest 250 samples, unchanged, when the rate matches', () => {
    const b = new SourceBuffer({ capacity: 1000 });
    fill(b, 40); // 400 samples = 1.6 s
    const p = new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS });
    const m = p.select(b, 1600n * MS);
    expect(m.state).toBe('fresh');
    const w = m.sample as Sample<'eeg'>;
    expect(w.payload.data.length).toBe(2 * 250);
    expect(w.payload.data[0]).toBe(150); // samples 150..399
    expect(w.payload.data[249]).toBe(399);
    expect(w.payload.data[250]).toBe(1e6 + 150);
    expect(w.payload.firstSampleIndex).toBe(150);
    expect(p.select(b, 1610n * MS).state).toBe('held');
  });

  it('is missing while warming up and when stale', () => {
    const b = new SourceBuffer({ capacity: 1000 });
    fill(b, 10); // 100 samples
    const p = new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS });
    expect(p.select(b, 400n * MS)).toMatchObject({ state: 'missing', reason: 'warming-up' });
    fill(b, 40);
    expect(p.select(b, 3000n * MS)).toMatchObject({ state: 'missing', reason: 'stale' });
  });

  it('detects and reports gaps in the sample index', () => {
    const b = new SourceBuffer({ capacity: 1000 });
    fill(b, 40, 10, 35);
    const m = new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS }).select(b, 1600n * MS);
    expect(m).toMatchObject({ state: 'fresh', gaps: 1, gapSamples: 10 });
  });

  it('resamples onto a uniform grid when the source rate differs', () => {
    const b = new SourceBuffer({ capacity: 1000 });
    for (let k = 0; k < 60; k++) b.push(eegChunk(k * 10, 10, { rate: 500, seq: k }));
    const m = new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS }).select(b, 1200n * MS);
    const w = m.sample as Sample<'eeg'>;
    expect(w.payload.data.length).toBe(500);
    // channel 0 holds the sample index: a 500 Hz ramp seen at 250 Hz steps by 2.
    const d = w.payload.data;
    for (let k = 1; k < 250; k++) expect((d[k] as number) - (d[k - 1] as number)).toBeCloseTo(2, 3);
    expect(d[249]).toBeCloseTo(599, 3);
  });
});

describe('Aligner', () => {
  it('builds the mask from the policies and never waits for a silent source', () => {
    const cam = new SourceBuffer();
    const eeg = new SourceBuffer({ capacity: 1000 });
    const a = new Aligner(
      [
        { modality: 'camera', sourceId: 'cam', policy: new LatestPolicy({ maxAgeNs: 50n * MS }) },
        { modality: 'eeg', sourceId: 'eeg', policy: new WindowPolicy({ lengthNs: 1000n * MS, samples: 250, maxAgeNs: 100n * MS }) },
      ],
      new Map([['cam', cam], ['eeg', eeg]]),
    );
    for (let k = 0; k < 40; k++) eeg.push(eegChunk(k * 10, 10, { seq: k }));
    cam.push(imageAt(1580n * MS, 1));
    const s1 = a.align(1600n * MS);
    expect(s1.mask).toEqual({ camera: 'fresh', eeg: 'fresh' });
    expect(Number(s1.skewNs) / 1e6).toBeCloseTo(16, 0); // camera 1580 ms vs EEG newest 1596 ms
    const s2 = a.align(1650n * MS);
    expect(s2.mask).toEqual({ camera: 'missing', eeg: 'held' });
    expect(a.counters().states.camera).toEqual({ fresh: 1, held: 0, missing: 1 });
  });

  it('rejects an input without a buffer', () => {
    expect(() => new Aligner([{ modality: 'camera', sourceId: 'x', policy: new LatestPolicy({ maxAgeNs: 1n }) }], new Map())).toThrow(RangeError);
  });
});
