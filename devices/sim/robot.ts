import type { TimestampNs } from '../../src/core/index.ts';
import { capsule, smoothstep, type CapsuleSolid, type Rgb, type Vec3 } from './geometry.ts';
import { Stream, hi32, uniform } from './hash.ts';
import { randomPartColor } from './parts.ts';
import type { CellLayout } from './layout.ts';
import { simSeconds } from './sim-time.ts';
import type { FactorPhase } from './timeline.ts';

/**
 * The cobot: a 4-joint arm (base yaw, shoulder, elbow, wrist pitch) drawn as capsules. Running, it
 * cycles pick (conveyor) → place (tray) with the gripper pointing down; paused, it parks upright at
 * home. Transitions blend joint angles over the factor's progress (≤ 0.8 s, CONTRACT.md), starting
 * from the pose frozen at the switch instant.
 */
export interface RobotState {
  /** Stack light: green while running, amber while paused. Follows the controller at once. */
  lampRunning: boolean;
  joints: Joints;
  capsules: CapsuleSolid[];
}

interface Joints {
  yaw: number;
  shoulder: number;
  elbow: number;
  wrist: number;
  grip: number;
  held: Rgb | undefined;
}

const L1 = 0.45;
const L2 = 0.42;
/** Wrist centre to fingertip. */
const LG = 0.17;
const PARK: Joints = { yaw: Math.PI, shoulder: Math.PI / 2, elbow: 0, wrist: 0, grip: 0.06, held: undefined };
const ARM: Rgb = [215, 218, 222];
const JOINT: Rgb = [45, 70, 120];
const DARK: Rgb = [40, 40, 44];

export function robotStateAt(seed: number, layout: CellLayout, t: TimestampNs, phase: FactorPhase): RobotState {
  const paused = phase.value === 1;
  let joints: Joints;
  if (phase.progress >= 1) joints = paused ? PARK : runningJoints(seed, layout, t);
  else {
    const from = paused ? runningJoints(seed, layout, phase.switchAt) : PARK;
    const to = paused ? PARK : runningJoints(seed, layout, t);
    joints = blend(from, to, smoothstep(phase.progress));
  }
  return { lampRunning: !paused, joints, capsules: armCapsules(layout.shoulder, joints) };
}

/** Pick-and-place cycle: gripper-tip waypoints in Cartesian space, then inverse kinematics. */
function runningJoints(seed: number, layout: CellLayout, t: TimestampNs): Joints {
  const period = 3.6 + 0.8 * uniform(seed, Stream.robotCycle, 0);
  const s = simSeconds(t) / period + uniform(seed, Stream.robotCycle, 1);
  const k = Math.floor(s);
  const ph = s - k;
  const { pick, place } = targets(seed, layout, k);
  const prevPlace = targets(seed, layout, k - 1).place;
  const lift = 0.14;
  const up = (p: Vec3): Vec3 => [p[0], p[1], p[2] + lift];
  // [phase at which segment ends, from, to, grip opening, holding?]
  const path: [number, Vec3, Vec3, number, boolean][] = [
    [0.2, up(prevPlace), up(pick), 0.07, false],
    [0.3, up(pick), pick, 0.07, false],
    [0.38, pick, pick, 0.04, true],
    [0.48, pick, up(pick), 0.04, true],
    [0.7, up(pick), up(place), 0.04, true],
    [0.8, up(place), place, 0.04, true],
    [0.86, place, place, 0.07, false],
    [1.0, place, up(place), 0.07, false],
  ];
  let start = 0;
  for (const [end, a, b, grip, holding] of path) {
    if (ph < end || end === 1.0) {
      const f = smoothstep((ph - start) / (end - start));
      const tip: Vec3 = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
      return { ...inverseKinematics(layout.shoulder, tip), grip, held: holding ? randomPartColor(seed, k) : undefined };
    }
    start = end;
  }
  return PARK;
}

function targets(seed: number, layout: CellLayout, k: number): { pick: Vec3; place: Vec3 } {
  const u = (i: number): number => uniform(seed, Stream.robotCycle, k, hi32(k), 10 + i);
  const pz = layout.pickZone;
  const pl = layout.placeZone;
  return {
    pick: [pz.x0 + (pz.x1 - pz.x0) * u(0), pz.y, pz.z + 0.04],
    place: [pl.x0 + (pl.x1 - pl.x0) * u(1), pl.y0 + (pl.y1 - pl.y0) * u(2), pl.z + 0.04],
  };
}

/** Elbow-up 2-link solution in the arm's vertical plane; the wrist keeps the gripper vertical. */
function inverseKinematics(shoulder: Vec3, tip: Vec3): Omit<Joints, 'grip' | 'held'> {
  const wx = tip[0] - shoulder[0];
  const wy = tip[1] - shoulder[1];
  const wz = tip[2] + LG - shoulder[2];
  const r = Math.hypot(wx, wy);
  const d = Math.min(L1 + L2 - 1e-6, Math.hypot(r, wz));
  const c = Math.max(-1, Math.min(1, (d * d - L1 * L1 - L2 * L2) / (2 * L1 * L2)));
  const elbow = -Math.acos(c);
  const shoulderAngle = Math.atan2(wz, r) + Math.atan2(L2 * Math.sin(-elbow), L1 + L2 * Math.cos(elbow));
  return { yaw: Math.atan2(wy, wx), shoulder: shoulderAngle, elbow, wrist: -Math.PI / 2 - shoulderAngle - elbow };
}

function blend(a: Joints, b: Joints, f: number): Joints {
  let dy = b.yaw - a.yaw;
  dy = Math.atan2(Math.sin(dy), Math.cos(dy)); // shortest way round
  return {
    yaw: a.yaw + dy * f,
    shoulder: a.shoulder + (b.shoulder - a.shoulder) * f,
    elbow: a.elbow + (b.elbow - a.elbow) * f,
    wrist: a.wrist + (b.wrist - a.wrist) * f,
    grip: a.grip + (b.grip - a.grip) * f,
    held: f < 0.5 ? a.held : b.held,
  };
}

function armCapsules(s: Vec3, j: Joints): CapsuleSolid[] {
  const cy = Math.cos(j.yaw);
  const sy = Math.sin(j.yaw);
  const at = (p: Vec3, ang: number, len: number): Vec3 => [
    p[0] + len * Math.cos(ang) * cy,
    p[1] + len * Math.cos(ang) * sy,
    p[2] + len * Math.sin(ang),
  ];
  const a1 = j.shoulder;
  const a2 = a1 + j.elbow;
  const a3 = a2 + j.wrist;
  const e = at(s, a1, L1);
  const w = at(e, a2, L2);
  const g = at(w, a3, 0.09);
  const tip = at(w, a3, LG);
  // Fingers sit either side of the gripper axis, across the arm's plane.
  const ox = -sy * j.grip * 0.5;
  const oy = cy * j.grip * 0.5;
  const out = [
    capsule([s[0], s[1], s[2] - 0.1], s, 0.075, JOINT),
    capsule(s, e, 0.055, ARM),
    capsule(e, e, 0.062, JOINT),
    capsule(e, w, 0.045, ARM),
    capsule(w, w, 0.05, JOINT),
    capsule(w, g, 0.04, DARK),
    capsule([g[0] + ox, g[1] + oy, g[2]], [tip[0] + ox, tip[1] + oy, tip[2]], 0.011, DARK),
    capsule([g[0] - ox, g[1] - oy, g[2]], [tip[0] - ox, tip[1] - oy, tip[2]], 0.011, DARK),
  ];
  if (j.held) out.push(capsule(tip, tip, 0.028, j.held));
  return out;
}
