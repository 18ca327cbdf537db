import type { TimestampNs } from '../../src/core/index.ts';
import { alongPolyline, box, capsule, polylineLength, type BoxSolid, type CapsuleSolid, type Rgb, type Vec2 } from './geometry.ts';
import { Stream, hi32, uniform } from './hash.ts';
import type { CellLayout } from './layout.ts';
import { simSeconds } from './sim-time.ts';
import type { FactorPhase } from './timeline.ts';

/**
 * Everyone and everything that moves on the floor: the operator (the O factor), a colleague who
 * sometimes walks through, and an AGV cart. All are solids in the one world: the LiDAR slices them
 * at 0.2 m, the RGB-D renderer projects them (the operator's places and walk stay outside its
 * frustum, which is what makes the camera blind to O — and a test checks it).
 */

type Posture = { kind: 'stand' } | { kind: 'walk'; gait: number } | { kind: 'sit' };

const SKIN: Rgb = [200, 160, 130];
const TROUSERS: Rgb = [40, 45, 70];
const OPERATOR_SHIRT: Rgb = [30, 110, 60];
const COLLEAGUE_SHIRT: Rgb = [150, 60, 50];
const STRIDE_M = 0.7;

/** The operator: standing at the station (engaged) or seated in the break corner (resting). */
export function operatorAt(seed: number, layout: CellLayout, t: TimestampNs, phase: FactorPhase): CapsuleSolid[] {
  const path = layout.walkPath;
  const len = polylineLength(path);
  const resting = phase.value === 1;
  if (phase.progress >= 1) {
    if (resting) return seated(layout);
    // Engaged: small sway and shuffles at the station, a smooth pure function of time.
    const s = simSeconds(t);
    const u = (i: number): number => uniform(seed, Stream.operatorSway, i);
    const dx = 0.05 * Math.sin(2 * Math.PI * (s / (5 + 3 * u(0)) + u(1)));
    const dy = 0.15 * Math.sin(2 * Math.PI * (s / (11 + 5 * u(2)) + u(3)));
    return person(layout.station[0] + dx, layout.station[1] + dy, 0, { kind: 'stand' }, OPERATOR_SHIRT);
  }
  // In transit. Walking out takes 85 % of the transition, sitting down the rest (and reversed).
  const p = phase.progress;
  const walked = resting ? Math.min(1, p / 0.85) : Math.max(0, (p - 0.15) / 0.85);
  if (resting && p >= 0.85) return seated(layout);
  const f = resting ? walked : 1 - walked;
  const at = alongPolyline(path, f);
  const heading = resting ? at.heading : at.heading + Math.PI;
  return person(at.x, at.y, heading, { kind: 'walk', gait: (2 * Math.PI * f * len) / STRIDE_M }, OPERATOR_SHIRT);
}

function seated(layout: CellLayout): CapsuleSolid[] {
  const c = layout.chair;
  return person(c.x, c.y, c.facing, { kind: 'sit' }, OPERATOR_SHIRT);
}

/** Colleague walks (14 s slots) and AGV runs (18 s slots), independent of every factor. */
export function trafficAt(seed: number, layout: CellLayout, t: TimestampNs): { capsules: CapsuleSolid[]; boxes: BoxSolid[] } {
  const s = simSeconds(t);
  const capsules: CapsuleSolid[] = [];
  const boxes: BoxSolid[] = [];
  const walkSlot = Math.floor(s / 14);
  for (let j = walkSlot - 1; j <= walkSlot; j++) {
    const u = (i: number): number => uniform(seed, Stream.colleague, j, hi32(j), i);
    if (u(0) >= 0.5) continue;
    const route = layout.colleagueRoutes[Math.floor(u(1) * layout.colleagueRoutes.length)] ?? [];
    const points: Vec2[] = u(2) < 0.5 ? route : [...route].reverse();
    const len = polylineLength(points);
    const speed = 1.1 + 0.4 * u(3);
    const d = (s - (j * 14 + 4 * u(4))) * speed;
    if (d < 0 || d > len) continue;
    const at = alongPolyline(points, d / len);
    capsules.push(...person(at.x, at.y, at.heading, { kind: 'walk', gait: (2 * Math.PI * d) / STRIDE_M }, COLLEAGUE_SHIRT));
  }
  const agvSlot = Math.floor(s / 18);
  for (let j = agvSlot - 1; j <= agvSlot; j++) {
    const u = (i: number): number => uniform(seed, Stream.agv, j, hi32(j), i);
    if (u(0) >= 0.45) continue;
    const lane = layout.agvLanes[Math.floor(u(1) * layout.agvLanes.length)] ?? 0;
    const dir = u(2) < 0.5 ? 1 : -1;
    const d = (s - (j * 18 + 5 * u(3))) * (0.7 + 0.2 * u(4));
    const x0 = layout.room.x0 + 0.5;
    const x1 = layout.room.x1 - 0.5;
    if (d < 0 || d > x1 - x0) continue;
    const x = dir > 0 ? x0 + d : x1 - d;
    boxes.push(box([x - 0.45, lane - 0.3, 0.05], [x + 0.45, lane + 0.3, 0.35], [215, 130, 30]));
  }
  return { capsules, boxes };
}

/** A person as capsules: legs, torso, head. `heading` is the direction they face (rad). */
function person(x: number, y: number, heading: number, posture: Posture, shirt: Rgb): CapsuleSolid[] {
  const fx = Math.cos(heading);
  const fy = Math.sin(heading);
  const lx = -fy;
  const ly = fx;
  const out: CapsuleSolid[] = [];
  if (posture.kind === 'sit') {
    // Hips over the seat, thighs forward, shins down to the floor ~0.5 m in front of the column.
    const hipZ = 0.58;
    for (const side of [-1, 1]) {
      const ox = lx * 0.1 * side;
      const oy = ly * 0.1 * side;
      const hip = [x + ox + fx * 0.05, y + oy + fy * 0.05, hipZ] as const;
      const knee = [x + ox + fx * 0.45, y + oy + fy * 0.45, 0.54] as const;
      const foot = [x + ox + fx * 0.5, y + oy + fy * 0.5, 0.07] as const;
      out.push(capsule(hip, knee, 0.075, TROUSERS), capsule(knee, foot, 0.055, TROUSERS));
    }
    out.push(capsule([x, y, hipZ], [x - fx * 0.05, y - fy * 0.05, 1.1], 0.16, shirt));
    out.push(capsule([x - fx * 0.02, y - fy * 0.02, 1.3], [x - fx * 0.02, y - fy * 0.02, 1.3], 0.1, SKIN));
    return out;
  }
  const swing = posture.kind === 'walk' ? 0.28 * Math.sin(posture.gait) : 0;
  for (const side of [-1, 1]) {
    const along = swing * side;
    const foot = [x + lx * 0.11 * side + fx * along, y + ly * 0.11 * side + fy * along, 0.07] as const;
    const hip = [x + lx * 0.09 * side, y + ly * 0.09 * side, 0.92] as const;
    out.push(capsule(foot, hip, 0.06, TROUSERS));
  }
  out.push(capsule([x, y, 0.95], [x, y, 1.42], 0.17, shirt));
  out.push(capsule([x, y, 1.65], [x, y, 1.65], 0.1, SKIN));
  return out;
}
