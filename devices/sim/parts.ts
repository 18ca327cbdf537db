import type { TimestampNs } from '../../src/core/index.ts';
import { box, type BoxSolid, type Rgb } from './geometry.ts';
import { Stream, hi32, uniform } from './hash.ts';
import type { CellLayout } from './layout.ts';
import { simSeconds } from './sim-time.ts';

/**
 * Parts of random colour riding the conveyor (a camera/depth distractor, CONTRACT.md). The belt
 * runs whatever the robot does, so neither its motion nor the parts on it say anything about the
 * robot factor. Part k enters at `k*SPACING + jitter` seconds (a few slots stay empty) and rides
 * the belt at constant speed: a pure function of (seed, t).
 */
const SPACING_S = 2.4;
const SPEED = 0.07;

export function conveyorPartsAt(seed: number, layout: CellLayout, t: TimestampNs): BoxSolid[] {
  const c = layout.conveyor;
  const now = simSeconds(t);
  const ride = (c.x1 - c.x0) / SPEED;
  const out: BoxSolid[] = [];
  const kLast = Math.floor(now / SPACING_S) + 1;
  for (let k = Math.floor((now - ride) / SPACING_S) - 1; k <= kLast; k++) {
    const u = (i: number): number => uniform(seed, Stream.conveyor, k, hi32(k), i);
    if (u(0) < 0.15) continue;
    const enter = k * SPACING_S + 0.6 * SPACING_S * u(1);
    const x = c.x0 + SPEED * (now - enter);
    const hx = 0.02 + 0.015 * u(2);
    const hy = 0.02 + 0.015 * u(3);
    if (x - hx < c.x0 || x + hx > c.x1) continue;
    const y = c.y + 0.05 * (u(4) - 0.5);
    const h = 0.03 + 0.03 * u(5);
    out.push(box([x - hx, y - hy, c.z], [x + hx, y + hy, c.z + h], randomPartColor(seed, k)));
  }
  return out;
}

/** Saturated colour of part k (also the colour of the part the arm carries in cycle k). */
export function randomPartColor(seed: number, k: number): Rgb {
  const u = (i: number): number => uniform(seed, Stream.conveyor, k, hi32(k), 100 + i);
  const h = u(0) * 6;
  const v = 110 + 130 * u(1);
  const s = 0.55 + 0.4 * u(2);
  const f = h - Math.floor(h);
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const w = v * (1 - s * (1 - f));
  const table: Rgb[] = [[v, w, p], [q, v, p], [p, v, w], [p, q, v], [w, p, v], [v, p, q]];
  const rgb = table[Math.floor(h) % 6] ?? [v, v, v];
  return [Math.round(rgb[0]), Math.round(rgb[1]), Math.round(rgb[2])];
}
