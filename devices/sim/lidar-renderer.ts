import type { LaserScan } from '../../src/core/index.ts';
import type { Solid } from './geometry.ts';
import { Stream, hash32 } from './hash.ts';
import type { CellLayout } from './layout.ts';

/**
 * The RPLIDAR-like planar scanner: 360 one-degree bins, 0.2 m above the floor, ray-cast in 2-D
 * against the world's solids sliced at that height (so it sees table legs and the pedestal but not
 * the arm above the table top — CONTRACT.md). Range noise σ = 4 mm + 0.8 % of range; missing
 * returns (0) at random, more at grazing incidence and on dark, soft targets (trousers).
 */
export const BINS = 360;
export const RANGE_MIN_M = 0.15;
export const RANGE_MAX_M = 12;

interface Circle {
  x: number;
  y: number;
  r: number;
  dark: boolean;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Slice {
  circles: Circle[];
  rects: Rect[];
}

/** Cross-section of solids at height h (capsules become circles: legs are near-vertical). */
export function sliceAt(solids: readonly Solid[], h: number, into: Slice = { circles: [], rects: [] }): Slice {
  for (const s of solids) {
    if (s.type === 'box') {
      if (s.min[2] <= h && h <= s.max[2]) into.rects.push({ x0: s.min[0], y0: s.min[1], x1: s.max[0], y1: s.max[1] });
    } else if (s.type === 'cylinder') {
      if (s.z0 <= h && h <= s.z1) into.circles.push({ x: s.x, y: s.y, r: s.r, dark: false });
    } else {
      const [a, b] = s.a[2] <= s.b[2] ? [s.a, s.b] : [s.b, s.a];
      let f = b[2] === a[2] ? 0 : (h - a[2]) / (b[2] - a[2]);
      f = Math.min(1, Math.max(0, f));
      const dz = a[2] + f * (b[2] - a[2]) - h;
      if (Math.abs(dz) >= s.r) continue;
      const dark = s.color[0] + s.color[1] + s.color[2] < 200;
      into.circles.push({ x: a[0] + f * (b[0] - a[0]), y: a[1] + f * (b[1] - a[1]), r: Math.sqrt(s.r * s.r - dz * dz), dark });
    }
  }
  return into;
}

/**
 * One sweep. `staticSlice` is the world's static cross-section (cached by the caller), `dynamic`
 * the moving solids at the sweep's mid-time; `sweepIndex` keys the noise.
 */
export function renderScan(seed: number, layout: CellLayout, staticSlice: Slice, dynamic: readonly Solid[], sweepIndex: number, out?: Float32Array): LaserScan {
  const ranges = out ?? new Float32Array(BINS);
  const dyn = sliceAt(dynamic, layout.lidar.z);
  const circles = [...staticSlice.circles, ...dyn.circles];
  const rects = [...staticSlice.rects, ...dyn.rects];
  const ox = layout.lidar.x;
  const oy = layout.lidar.y;
  const lo = sweepIndex | 0;
  const hi = Math.floor(sweepIndex / 4294967296) | 0;
  for (let i = 0; i < BINS; i++) {
    const th = layout.lidar.yaw + (i * 2 * Math.PI) / BINS;
    const dx = Math.cos(th);
    const dy = Math.sin(th);
    let best = Infinity;
    let cosInc = 1;
    let dark = false;
    for (const c of circles) {
      const qx = ox - c.x;
      const qy = oy - c.y;
      const b = qx * dx + qy * dy;
      const h = b * b - (qx * qx + qy * qy - c.r * c.r);
      if (h < 0) continue;
      const s = -b - Math.sqrt(h);
      if (s > 0 && s < best) {
        best = s;
        cosInc = Math.abs(((ox + s * dx - c.x) * dx + (oy + s * dy - c.y) * dy) / c.r);
        dark = c.dark;
      }
    }
    for (const r of rects) {
      const hit = rayRect(ox, oy, dx, dy, r);
      if (hit && hit.s < best) {
        best = hit.s;
        cosInc = Math.abs(hit.axis === 0 ? dx : dy);
        dark = false;
      }
    }
    const u = (k: number): number => hash32(seed, Stream.lidarNoise, lo, hi, i * 4 + k) / 4294967296;
    let pMiss = 0.01;
    if (cosInc < 0.15) pMiss += 0.5;
    if (dark) pMiss += 0.08;
    if (best > 8) pMiss += 0.15;
    if (!Number.isFinite(best) || best < RANGE_MIN_M || best > RANGE_MAX_M || u(0) < pMiss) {
      ranges[i] = 0;
      continue;
    }
    const g = Math.sqrt(-2 * Math.log(u(1) + 1e-12)) * Math.cos(2 * Math.PI * u(2));
    ranges[i] = best + (0.004 + 0.008 * best) * g;
  }
  return { angleMin: 0, angleIncrement: (2 * Math.PI) / BINS, rangeMin: RANGE_MIN_M, rangeMax: RANGE_MAX_M, ranges };
}

function rayRect(ox: number, oy: number, dx: number, dy: number, r: Rect): { s: number; axis: 0 | 1 } | undefined {
  let tmin = -Infinity;
  let tmax = Infinity;
  let axis: 0 | 1 = 0;
  if (dx !== 0) {
    const t0 = (r.x0 - ox) / dx;
    const t1 = (r.x1 - ox) / dx;
    tmin = Math.min(t0, t1);
    tmax = Math.max(t0, t1);
  } else if (ox < r.x0 || ox > r.x1) return undefined;
  if (dy !== 0) {
    const t0 = (r.y0 - oy) / dy;
    const t1 = (r.y1 - oy) / dy;
    const n = Math.min(t0, t1);
    if (n > tmin) {
      tmin = n;
      axis = 1;
    }
    tmax = Math.min(tmax, Math.max(t0, t1));
  } else if (oy < r.y0 || oy > r.y1) return undefined;
  if (tmin > tmax || tmin <= 0) return undefined;
  return { s: tmin, axis };
}
