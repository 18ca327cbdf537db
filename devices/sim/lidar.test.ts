import { describe, expect, it } from 'vitest';
import { renderFrame } from './render-frame.ts';
import { T_REF_NS } from './sim-time.ts';
import { SimWorld } from './world.ts';


/** Bin and distance from the LiDAR to a floor point. */
function bearing(world: SimWorld, x: number, y: number): { bin: number; dist: number } {
  const l = world.layout.lidar;
  const deg = (Math.atan2(y - l.y, x - l.x) * 180) / Math.PI;
  return { bin: Math.round((deg + 360) % 360), dist: Math.hypot(x - l.x, y - l.y) };
}

/** Number of bins within ±5° of `bin` with a return within 0.5 m of `dist`. */
function hitsNear(ranges: Float32Array, bin: number, dist: number): number {
  let n = 0;
  for (let d = -5; d <= 5; d++) {
    const r = ranges[(bin + d + 360) % 360]!;
    if (r > 0 && Math.abs(r - dist) < 0.5) n++;
  }
  return n;
}

describe('LiDAR rendering', () => {
  it('delivers 360 one-degree bins in metres, 0 for no return', () => {
    const s = renderFrame(new SimWorld({ seed: 1 }), 'lidar', T_REF_NS, 0);
    expect(s.ranges.length).toBe(360);
    expect(s.angleMin).toBe(0);
    expect(s.angleIncrement).toBeCloseTo(Math.PI / 180, 12);
    expect(s.rangeMax).toBe(12);
    for (const r of s.ranges) expect(r === 0 || (r >= 0.15 && r <= 12)).toBe(true);
    expect(s.ranges.filter((r) => r === 0).length).toBeLessThan(40);
  });

  it("sees the operator's legs at the station when engaged and in the break corner when resting", () => {
    // The colleague and the AGV sometimes stand in the line of sight, and dark trousers miss a
    // few returns, so the cue is counted over many instants rather than required at every one.
    const tally = { engagedAtStation: 0, restingAtStation: 0, restingInCorner: 0, engagedInCorner: 0, n: 0 };
    for (const seed of [1, 2, 3]) {
      const world = new SimWorld({ seed });
      const st = bearing(world, world.layout.station[0], world.layout.station[1]);
      const c = world.layout.chair;
      const seat = bearing(world, c.x + 0.5 * Math.cos(c.facing), c.y + 0.5 * Math.sin(c.facing));
      for (let k = 0n; k < 30n; k++) {
        const t = T_REF_NS + k * 1_700_000_000n;
        const engaged = renderFrame(world, 'lidar', t, Number(k), { overrides: { operator: 'engaged' } }).ranges;
        const resting = renderFrame(world, 'lidar', t, Number(k), { overrides: { operator: 'resting' } }).ranges;
        tally.n++;
        if (hitsNear(engaged, st.bin, st.dist) >= 2) tally.engagedAtStation++;
        if (hitsNear(resting, st.bin, st.dist) >= 2) tally.restingAtStation++;
        if (hitsNear(resting, seat.bin, seat.dist) >= 3) tally.restingInCorner++;
        if (hitsNear(engaged, seat.bin, seat.dist) >= 3) tally.engagedInCorner++;
      }
    }
    expect(tally.engagedAtStation / tally.n).toBeGreaterThan(0.85);
    expect(tally.restingInCorner / tally.n).toBeGreaterThan(0.85);
    expect(tally.restingAtStation / tally.n).toBeLessThan(0.05);
    expect(tally.engagedInCorner / tally.n).toBeLessThan(0.05);
  });

  it('does not see the robot: flipping R leaves every scan identical (the arm is above 0.2 m)', () => {
    const world = new SimWorld({ seed: 77 });
    for (let k = 0n; k < 20n; k++) {
      const t = T_REF_NS + k * 1_300_000_000n;
      const a = renderFrame(world, 'lidar', t, Number(k), { overrides: { robot: 'running' } }).ranges;
      const b = renderFrame(world, 'lidar', t, Number(k), { overrides: { robot: 'paused' } }).ranges;
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('is deterministic per seed and sweep, with fresh noise every sweep', () => {
    const w = new SimWorld({ seed: 4 });
    const a = renderFrame(w, 'lidar', T_REF_NS, 10).ranges;
    expect(Array.from(renderFrame(new SimWorld({ seed: 4 }), 'lidar', T_REF_NS, 10).ranges)).toEqual(Array.from(a));
    expect(Array.from(renderFrame(w, 'lidar', T_REF_NS, 11).ranges)).not.toEqual(Array.from(a));
  });
});
