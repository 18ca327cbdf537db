/**
 * Geometry vocabulary of the simulated cell. World frame: metres, x east, y north, z up, origin on
 * the floor under the centre of the robot table. Colours are 0..255 albedo (sRGB-ish, no gamma
 * maths: the camera model is deliberately simple).
 */

export type Vec2 = readonly [number, number];
export type Vec3 = readonly [number, number, number];
export type Rgb = readonly [number, number, number];

/** Axis-aligned box. */
export interface BoxSolid {
  type: 'box';
  min: Vec3;
  max: Vec3;
  color: Rgb;
}

/** Upright cylinder (pedestal, posts, chair column, lamp). */
export interface CylinderSolid {
  type: 'cylinder';
  x: number;
  y: number;
  r: number;
  z0: number;
  z1: number;
  color: Rgb;
}

/** Sphere-swept segment (robot links, legs). A sphere is a capsule with a = b. */
export interface CapsuleSolid {
  type: 'capsule';
  a: Vec3;
  b: Vec3;
  r: number;
  color: Rgb;
}

export type StaticSolid = BoxSolid | CylinderSolid;
export type Solid = BoxSolid | CylinderSolid | CapsuleSolid;

export function box(min: Vec3, max: Vec3, color: Rgb): BoxSolid {
  return { type: 'box', min, max, color };
}

export function cylinder(x: number, y: number, r: number, z0: number, z1: number, color: Rgb): CylinderSolid {
  return { type: 'cylinder', x, y, r, z0, z1, color };
}

export function capsule(a: Vec3, b: Vec3, r: number, color: Rgb): CapsuleSolid {
  return { type: 'capsule', a, b, r, color };
}

/** A point along a polyline at arc-length fraction `f` ∈ [0, 1], plus the local heading (rad). */
export function alongPolyline(points: readonly Vec2[], f: number): { x: number; y: number; heading: number } {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += dist(points[i - 1] as Vec2, points[i] as Vec2);
  let want = Math.min(1, Math.max(0, f)) * total;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1] as Vec2;
    const q = points[i] as Vec2;
    const d = dist(p, q);
    if (want <= d || i === points.length - 1) {
      const s = d === 0 ? 0 : Math.min(1, want / d);
      return { x: p[0] + (q[0] - p[0]) * s, y: p[1] + (q[1] - p[1]) * s, heading: Math.atan2(q[1] - p[1], q[0] - p[0]) };
    }
    want -= d;
  }
  const last = points[points.length - 1] ?? [0, 0];
  return { x: last[0], y: last[1], heading: 0 };
}

export function polylineLength(points: readonly Vec2[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += dist(points[i - 1] as Vec2, points[i] as Vec2);
  return total;
}

function dist(p: Vec2, q: Vec2): number {
  return Math.hypot(q[0] - p[0], q[1] - p[1]);
}

/** Cubic smoothstep on [0, 1] (zero velocity at both ends: arms and people ease in and out). */
export function smoothstep(x: number): number {
  const s = Math.min(1, Math.max(0, x));
  return s * s * (3 - 2 * s);
}
