import { CX, CY, FX, FY, HEIGHT, WIDTH, rayX, rayY, vignette } from './camera-model.ts';
import type { CapsuleSolid, Rgb, Solid, Vec3 } from './geometry.ts';
import { hitSolid, type Hit } from './ray-hit.ts';

/**
 * Image-space rasteriser with a z-buffer: for one solid, project its bounding box into the image
 * and ray-cast only the pixels inside it. Static solids go through it once per world (the
 * background), dynamic ones once per frame, so per-frame cost scales with what moves, not with the
 * image size.
 */
export interface RasterTarget {
  /** Packed RGB, already shaded and vignetted (0..255). */
  color: Uint8Array;
  /** Depth along the optical axis, metres. */
  depth: Float32Array;
  /** Optional per-pixel id of the solid that won the z-test. */
  owner?: Int16Array;
  /** Optional per-row flag, set to 1 on rows where a pixel was drawn. */
  dirtyRows?: Uint8Array;
}

// Module-local copies of the intrinsics (transpiling loaders make imported constants getters).
const W = WIDTH;
const H = HEIGHT;
const [fx, fy, cx, cy] = [FX, FY, CX, CY];
const RX = Float64Array.from({ length: WIDTH }, (_, i) => rayX(i));
const RY = Float64Array.from({ length: HEIGHT }, (_, j) => rayY(j));
// Overhead luminaires slightly south-west of the table: sides facing them read brighter.
const L = normalise([-0.25, -0.35, 1]);
const hit: Hit = { s: 0, nx: 0, ny: 0, nz: 0 };

/** Lambert shading of the fixed overhead light with a strong ambient term. */
export function shade(nx: number, ny: number, nz: number): number {
  const d = nx * L[0] + ny * L[1] + nz * L[2];
  return 0.5 + 0.5 * (d > 0 ? d : 0);
}

export function rasterise(solid: Solid, eye: Vec3, target: RasterTarget, id = 0, color: Rgb = solid.color): void {
  const bb = pixelBounds(solid, eye);
  if (!bb) return;
  if (solid.type === 'capsule') {
    rasteriseCapsule(solid, eye, target, bb, color);
    return;
  }
  const vig = vignette();
  const [ox, oy, oz] = eye;
  const { color: rgb, depth, owner, dirtyRows } = target;
  for (let j = bb.j0; j <= bb.j1; j++) {
    const dy = RY[j] as number;
    let p = j * W + bb.i0;
    for (let i = bb.i0; i <= bb.i1; i++, p++) {
      if (!hitSolid(solid, ox, oy, oz, RX[i] as number, dy, hit)) continue;
      if (hit.s >= (depth[p] as number)) continue;
      depth[p] = hit.s;
      if (dirtyRows) dirtyRows[j] = 1;
      const k = shade(hit.nx, hit.ny, hit.nz) * (vig[p] as number);
      rgb[3 * p] = color[0] * k;
      rgb[3 * p + 1] = color[1] * k;
      rgb[3 * p + 2] = color[2] * k;
      if (owner) owner[p] = id;
    }
  }
}

/**
 * Capsules are most of what moves (arm links, people), so they get a specialised loop: per-row
 * spans (see {@link capsuleSpans}) and the ray–capsule test of ray-hit.ts with every per-capsule
 * term hoisted out of the pixel loop.
 */
function rasteriseCapsule(c: CapsuleSolid, eye: Vec3, target: RasterTarget, bb: Bounds, color: Rgb): void {
  const vig = vignette();
  const ox = eye[0];
  const oy = eye[1];
  const oz = eye[2];
  const { color: rgb, depth, dirtyRows } = target;
  const ax = c.a[0], ay = c.a[1], az = c.a[2];
  const bx = c.b[0], by = c.b[1], bz = c.b[2];
  const bax = bx - ax, bay = by - ay, baz = bz - az;
  const oax = ox - ax, oay = oy - ay, oaz = oz - az;
  const obx = ox - bx, oby = oy - by, obz = oz - bz;
  const baba = bax * bax + bay * bay + baz * baz;
  const r = c.r;
  const r2 = r * r;
  const baoa = bax * oax + bay * oay + baz * oaz;
  const oaoa = oax * oax + oay * oay + oaz * oaz;
  const obob = obx * obx + oby * oby + obz * obz;
  const k0 = baba * oaoa - baoa * baoa - r2 * baba;
  const span = capsuleSpans(c, eye);
  const c0 = color[0], c1 = color[1], c2 = color[2];
  for (let j = bb.j0; j <= bb.j1; j++) {
    if (!span(j)) continue;
    const dy = RY[j] as number;
    const i0 = Math.max(bb.i0, spanOut[0]);
    const i1 = Math.min(bb.i1, spanOut[1]);
    let p = j * W + i0;
    for (let i = i0; i <= i1; i++, p++) {
      const dx = RX[i] as number;
      const rdrd = dx * dx + dy * dy + 1;
      let s = -1;
      let capA = true;
      if (baba > 1e-12) {
        const bard = bax * dx + bay * dy - baz;
        const rdoa = dx * oax + dy * oay - oaz;
        const k2 = baba * rdrd - bard * bard;
        const k1 = baba * rdoa - baoa * bard;
        const h = k1 * k1 - k2 * k0;
        if (h < 0) continue;
        if (k2 > 1e-12) {
          const t = (-k1 - Math.sqrt(h)) / k2;
          const y = baoa + t * bard;
          if (y > 0 && y < baba) s = t;
          else capA = y <= 0;
        } else capA = bz <= az;
      }
      if (s < 0) {
        // Sphere cap at a or b.
        const qx = capA ? oax : obx, qy = capA ? oay : oby, qz = capA ? oaz : obz;
        const b = dx * qx + dy * qy - qz;
        const h = b * b - rdrd * ((capA ? oaoa : obob) - r2);
        if (h < 0) continue;
        s = (-b - Math.sqrt(h)) / rdrd;
      }
      if (s <= 0 || s >= (depth[p] as number)) continue;
      depth[p] = s;
      if (dirtyRows) dirtyRows[j] = 1;
      // Normal: hit point minus its closest point on the axis, over r.
      const px = ox + s * dx - ax, py = oy + s * dy - ay, pz = oz - s - az;
      let f = baba > 0 ? (px * bax + py * bay + pz * baz) / baba : 0;
      f = f < 0 ? 0 : f > 1 ? 1 : f;
      const k = shade((px - f * bax) / r, (py - f * bay) / r, (pz - f * baz) / r) * (vig[p] as number);
      rgb[3 * p] = c0 * k;
      rgb[3 * p + 1] = c1 * k;
      rgb[3 * p + 2] = c2 * k;
    }
  }
}

const spanOut: [number, number] = [0, 0];

/**
 * Per-row pixel spans of a capsule: its image lies within a 2-D stadium around the projected
 * segment, with the radius it has at its nearest depth (×1.3 for the off-axis stretch of a
 * projected sphere, +1.5 px). A thin diagonal arm link covers a fraction of its bounding box, so
 * this saves most of the ray tests. Writes [i0, i1] into `spanOut`; false when the row is empty.
 */
function capsuleSpans(c: CapsuleSolid, eye: Vec3): (j: number) => boolean {
  const sa = eye[2] - c.a[2];
  const sb = eye[2] - c.b[2];
  const ua = cx + (fx * (c.a[0] - eye[0])) / sa;
  const va = cy - (fy * (c.a[1] - eye[1])) / sa;
  const ub = cx + (fx * (c.b[0] - eye[0])) / sb;
  const vb = cy - (fy * (c.b[1] - eye[1])) / sb;
  const R = (1.3 * fx * c.r) / Math.max(0.05, Math.min(sa, sb) - c.r) + 1.5;
  const dv = vb - va;
  return (j: number): boolean => {
    const v = j + 0.5;
    let f0 = 0;
    let f1 = 1;
    if (Math.abs(dv) > 1e-9) {
      const g0 = (v - R - va) / dv;
      const g1 = (v + R - va) / dv;
      f0 = Math.max(0, Math.min(g0, g1));
      f1 = Math.min(1, Math.max(g0, g1));
      if (f0 > f1) return false;
    } else if (Math.abs(v - va) > R) return false;
    const u0 = ua + f0 * (ub - ua);
    const u1 = ua + f1 * (ub - ua);
    spanOut[0] = Math.floor(Math.min(u0, u1) - R - 0.5);
    spanOut[1] = Math.ceil(Math.max(u0, u1) + R - 0.5);
    return true;
  };
}

/** Conservative pixel rectangle of a solid (projected corners of its bounding box), or undefined. */
interface Bounds {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

function pixelBounds(solid: Solid, eye: Vec3): Bounds | undefined {
  let x0: number, y0: number, z0: number, x1: number, y1: number, z1: number;
  switch (solid.type) {
    case 'box':
      [x0, y0, z0] = solid.min;
      [x1, y1, z1] = solid.max;
      break;
    case 'cylinder':
      [x0, y0, z0, x1, y1, z1] = [solid.x - solid.r, solid.y - solid.r, solid.z0, solid.x + solid.r, solid.y + solid.r, solid.z1];
      break;
    case 'capsule': {
      const r = solid.r;
      x0 = Math.min(solid.a[0], solid.b[0]) - r;
      y0 = Math.min(solid.a[1], solid.b[1]) - r;
      z0 = Math.min(solid.a[2], solid.b[2]) - r;
      x1 = Math.max(solid.a[0], solid.b[0]) + r;
      y1 = Math.max(solid.a[1], solid.b[1]) + r;
      z1 = Math.max(solid.a[2], solid.b[2]) + r;
      break;
    }
  }
  if (eye[2] - z1 < 0.05) return { i0: 0, i1: W - 1, j0: 0, j1: H - 1 };
  let umin = Infinity;
  let umax = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const z of [z0, z1]) {
    const s = eye[2] - z;
    for (const x of [x0, x1]) {
      const u = cx + (fx * (x - eye[0])) / s;
      if (u < umin) umin = u;
      if (u > umax) umax = u;
    }
    for (const y of [y0, y1]) {
      const v = cy - (fy * (y - eye[1])) / s;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
  }
  const i0 = Math.max(0, Math.floor(umin) - 1);
  const i1 = Math.min(W - 1, Math.ceil(umax) + 1);
  const j0 = Math.max(0, Math.floor(vmin) - 1);
  const j1 = Math.min(H - 1, Math.ceil(vmax) + 1);
  return i0 > i1 || j0 > j1 ? undefined : { i0, i1, j0, j1 };
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
