import type { BoxSolid, CapsuleSolid, CylinderSolid, Solid } from './geometry.ts';

/**
 * Ray–solid intersections for the overhead camera. Rays are `o + s·d` with `d = (dx, dy, −1)`, so
 * `s` is the depth along the optical axis. Each function writes the nearest hit with `s > 0` into
 * `hit` and returns true, or returns false. Allocation-free: they run for every covered pixel.
 */
export interface Hit {
  s: number;
  nx: number;
  ny: number;
  nz: number;
}

export function hitSolid(solid: Solid, ox: number, oy: number, oz: number, dx: number, dy: number, hit: Hit): boolean {
  switch (solid.type) {
    case 'box':
      return hitBox(solid, ox, oy, oz, dx, dy, hit);
    case 'cylinder':
      return hitCylinder(solid, ox, oy, oz, dx, dy, hit);
    case 'capsule':
      return hitCapsule(solid, ox, oy, oz, dx, dy, hit);
  }
}

function hitBox(b: BoxSolid, ox: number, oy: number, oz: number, dx: number, dy: number, hit: Hit): boolean {
  // Slab method. z: d_z = −1, so the near face is the top.
  let tmin = oz - b.max[2];
  let tmax = oz - b.min[2];
  let axis = 2;
  let sign = 1;
  if (dx !== 0) {
    let t0 = (b.min[0] - ox) / dx;
    let t1 = (b.max[0] - ox) / dx;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > tmin) {
      tmin = t0;
      axis = 0;
      sign = dx > 0 ? -1 : 1;
    }
    if (t1 < tmax) tmax = t1;
  } else if (ox < b.min[0] || ox > b.max[0]) return false;
  if (dy !== 0) {
    let t0 = (b.min[1] - oy) / dy;
    let t1 = (b.max[1] - oy) / dy;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > tmin) {
      tmin = t0;
      axis = 1;
      sign = dy > 0 ? -1 : 1;
    }
    if (t1 < tmax) tmax = t1;
  } else if (oy < b.min[1] || oy > b.max[1]) return false;
  if (tmin > tmax || tmin <= 0) return false;
  hit.s = tmin;
  hit.nx = axis === 0 ? sign : 0;
  hit.ny = axis === 1 ? sign : 0;
  hit.nz = axis === 2 ? 1 : 0;
  return true;
}

function hitCylinder(c: CylinderSolid, ox: number, oy: number, oz: number, dx: number, dy: number, hit: Hit): boolean {
  // Top cap first (the camera is above every solid, so the bottom cap is never seen).
  const sTop = oz - c.z1;
  const px = ox + sTop * dx - c.x;
  const py = oy + sTop * dy - c.y;
  if (sTop > 0 && px * px + py * py <= c.r * c.r) {
    hit.s = sTop;
    hit.nx = 0;
    hit.ny = 0;
    hit.nz = 1;
    return true;
  }
  const a = dx * dx + dy * dy;
  if (a === 0) return false;
  const qx = ox - c.x;
  const qy = oy - c.y;
  const b = qx * dx + qy * dy;
  const h = b * b - a * (qx * qx + qy * qy - c.r * c.r);
  if (h < 0) return false;
  const s = (-b - Math.sqrt(h)) / a;
  const z = oz - s;
  if (s <= 0 || z < c.z0 || z > c.z1) return false;
  hit.s = s;
  hit.nx = (qx + s * dx) / c.r;
  hit.ny = (qy + s * dy) / c.r;
  hit.nz = 0;
  return true;
}

/** Ray–capsule (after Inigo Quilez's formulation, generalised to an unnormalised direction). */
function hitCapsule(c: CapsuleSolid, ox: number, oy: number, oz: number, dx: number, dy: number, hit: Hit): boolean {
  const [ax, ay, az] = c.a;
  const bax = c.b[0] - ax;
  const bay = c.b[1] - ay;
  const baz = c.b[2] - az;
  const oax = ox - ax;
  const oay = oy - ay;
  const oaz = oz - az;
  const rdrd = dx * dx + dy * dy + 1;
  const baba = bax * bax + bay * bay + baz * baz;
  const r2 = c.r * c.r;
  let capX = oax;
  let capY = oay;
  let capZ = oaz;
  if (baba > 1e-12) {
    const bard = bax * dx + bay * dy - baz;
    const baoa = bax * oax + bay * oay + baz * oaz;
    const rdoa = dx * oax + dy * oay - oaz;
    const oaoa = oax * oax + oay * oay + oaz * oaz;
    const k2 = baba * rdrd - bard * bard;
    const k1 = baba * rdoa - baoa * bard;
    const k0 = baba * oaoa - baoa * baoa - r2 * baba;
    const h = k1 * k1 - k2 * k0;
    if (h < 0) return false;
    if (k2 > 1e-12) {
      const s = (-k1 - Math.sqrt(h)) / k2;
      const y = baoa + s * bard;
      if (y > 0 && y < baba && s > 0) return capsuleHit(c, ox, oy, oz, dx, dy, s, hit);
      if (y >= baba) {
        capX = ox - c.b[0];
        capY = oy - c.b[1];
        capZ = oz - c.b[2];
      }
    } else if (c.b[2] > az) {
      // Looking straight down the axis: the upper cap is the one in front.
      capX = ox - c.b[0];
      capY = oy - c.b[1];
      capZ = oz - c.b[2];
    }
  }
  const b = dx * capX + dy * capY - capZ;
  const h = b * b - rdrd * (capX * capX + capY * capY + capZ * capZ - r2);
  if (h < 0) return false;
  const s = (-b - Math.sqrt(h)) / rdrd;
  if (s <= 0) return false;
  return capsuleHit(c, ox, oy, oz, dx, dy, s, hit);
}

function capsuleHit(c: CapsuleSolid, ox: number, oy: number, oz: number, dx: number, dy: number, s: number, hit: Hit): boolean {
  const px = ox + s * dx;
  const py = oy + s * dy;
  const pz = oz - s;
  const bax = c.b[0] - c.a[0];
  const bay = c.b[1] - c.a[1];
  const baz = c.b[2] - c.a[2];
  const baba = bax * bax + bay * bay + baz * baz;
  let f = baba > 0 ? ((px - c.a[0]) * bax + (py - c.a[1]) * bay + (pz - c.a[2]) * baz) / baba : 0;
  f = Math.min(1, Math.max(0, f));
  hit.s = s;
  hit.nx = (px - (c.a[0] + f * bax)) / c.r;
  hit.ny = (py - (c.a[1] + f * bay)) / c.r;
  hit.nz = (pz - (c.a[2] + f * baz)) / c.r;
  return true;
}
