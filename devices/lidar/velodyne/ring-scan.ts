import type { LaserScan, PointCloud } from '../../../src/core/sample.ts';
import type { VelodyneCalibration } from './calibration.ts';

/** The ring closest to horizontal (VLP-16: laser 1 at +1°; HDL-32E: laser 15 at 0°). */
export function horizontalRing(cal: VelodyneCalibration): number {
  let best = 0;
  for (let l = 1; l < cal.lasers; l++) if (Math.abs(cal.elevationDeg[l]!) < Math.abs(cal.elevationDeg[best]!)) best = l;
  return cal.ring[best]!;
}

/**
 * One ring of a sweep as a planar {@link LaserScan} (what pointcloud_to_laserscan does for ROS): bin
 * i covers angle i·2π/bins counter-clockwise from +x, the range is the point's horizontal distance,
 * and the nearest return wins a bin. Lets a 3-D LiDAR feed models trained on planar scans.
 */
export function ringToScan(cloud: PointCloud, ring: number, o: { bins: number; rangeMinM: number; rangeMaxM: number }): LaserScan {
  const ranges = new Float32Array(o.bins);
  const intensities = new Float32Array(o.bins);
  const rings = cloud.ring;
  if (rings) {
    const step = (2 * Math.PI) / o.bins;
    for (let i = 0; i < cloud.count; i++) {
      if (rings[i] !== ring) continue;
      const x = cloud.xyz[3 * i]!;
      const y = cloud.xyz[3 * i + 1]!;
      const r = Math.hypot(x, y);
      let a = Math.atan2(y, x);
      if (a < 0) a += 2 * Math.PI;
      const b = Math.round(a / step) % o.bins;
      const cur = ranges[b]!;
      if (cur === 0 || r < cur) {
        ranges[b] = r;
        intensities[b] = cloud.intensity?.[i] ?? 0;
      }
    }
  }
  return { angleMin: 0, angleIncrement: (2 * Math.PI) / o.bins, rangeMin: o.rangeMinM, rangeMax: o.rangeMaxM, ranges, intensities };
}
