import { describe, expect, it } from 'vitest';
import type { LaserScan } from '../../src/core/index.ts';
import { createScanPreprocessor } from './scan.ts';
import type { ScanSpec } from './spec.ts';

const spec: ScanSpec = { op: 'scan', bins: 360, maxRangeM: 12 };

function scan(ranges: number[], angleMin = 0, inc = (2 * Math.PI) / 360): LaserScan {
  return { angleMin, angleIncrement: inc, rangeMin: 0.15, rangeMax: 12, ranges: Float32Array.from(ranges) };
}

describe('scan preprocessing', () => {
  it('has the contract shape [1, 360]', () => {
    expect(createScanPreprocessor(spec).shape).toEqual([1, 360]);
  });

  it('divides ranges on the 1° grid by maxRangeM and maps every kind of non-return to 0', () => {
    const r = new Array<number>(360).fill(6);
    r[1] = 0;
    r[2] = Number.NaN;
    r[3] = 0.1; // below rangeMin
    r[4] = 13; // beyond rangeMax
    r[5] = Number.POSITIVE_INFINITY;
    const out = createScanPreprocessor(spec)(scan(r));
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(Array.from(out.slice(1, 6))).toEqual([0, 0, 0, 0, 0]);
    expect(out[359]).toBeCloseTo(0.5, 6);
  });

  it('re-bins other grids by angle, keeping the nearest return per bin', () => {
    // 720 rays at 0.5° starting at −180°; a ray belongs to the bin nearest its angle.
    const r = new Array<number>(720).fill(0);
    const rayAt = (deg: number): number => Math.round((deg + 180) * 2);
    r[rayAt(10)] = 6;
    r[rayAt(10.25)] = 0; // no return: ignored
    r[rayAt(-90)] = 3; // −90° = 270°
    r[rayAt(-90.5)] = 2.4; // rounds to bin 270 as well (269.5 → 270): the nearer one wins
    const out = createScanPreprocessor(spec)(scan(r, -Math.PI, Math.PI / 360));
    expect(out[10]).toBeCloseTo(0.5, 5);
    expect(out[270]).toBeCloseTo(0.2, 5);
    expect(out[100]).toBe(0);
  });
});
