import type { LaserScan } from '../../src/core/index.ts';
import { inputError, preprocessor, type Preprocessor } from './preprocessor.ts';
import type { ScanSpec } from './spec.ts';

const TWO_PI = 2 * Math.PI;

/**
 * Planar scans → `[1, bins]`: range per bin (bin i centred on i·360°/bins, counter-clockwise from
 * the sensor's +x) divided by `maxRangeM`; 0 = no return (CONTRACT.md). A scan already on that grid
 * is copied through; any other grid (another LiDAR's resolution or start angle) is binned by angle,
 * keeping the **nearest** return per bin (an obstacle must not vanish because a farther ray shares
 * its bin). Non-finite, non-positive, below `rangeMin` or beyond the sensor's `rangeMax` or the
 * model's `maxRangeM` all count as "no return", as RPLIDAR itself reports them.
 */
export function createScanPreprocessor(spec: ScanSpec): Preprocessor<LaserScan> {
  const { bins, maxRangeM } = spec;
  const step = TWO_PI / bins;
  return preprocessor<LaserScan>(spec, [1, bins], (scan, out) => {
    const { ranges } = scan;
    if (!(ranges instanceof Float32Array) && !Array.isArray(ranges)) throw inputError(spec, 'scan.ranges must be a Float32Array');
    const hi = Math.min(maxRangeM, scan.rangeMax > 0 ? scan.rangeMax : Infinity);
    const lo = Math.max(0, scan.rangeMin);
    const valid = (r: number): boolean => Number.isFinite(r) && r > 0 && r >= lo && r <= hi;
    const onGrid =
      ranges.length === bins &&
      Math.abs(scan.angleIncrement - step) < 1e-6 &&
      Math.abs(Math.atan2(Math.sin(scan.angleMin), Math.cos(scan.angleMin))) < 1e-6;
    if (onGrid) {
      for (let i = 0; i < bins; i++) {
        const r = ranges[i] as number;
        out[i] = valid(r) ? r / maxRangeM : 0;
      }
      return;
    }
    out.fill(0);
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i] as number;
      if (!valid(r)) continue;
      let a = (scan.angleMin + i * scan.angleIncrement) % TWO_PI;
      if (a < 0) a += TWO_PI;
      const b = Math.round(a / step) % bins;
      const v = r / maxRangeM;
      const cur = out[b] as number;
      if (cur === 0 || v < cur) out[b] = v;
    }
  });
}
