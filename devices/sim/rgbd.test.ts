import { describe, expect, it } from 'vitest';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { renderFrame } from './render-frame.ts';
import { T_REF_NS } from './sim-time.ts';
import { SimWorld } from './world.ts';

const S = 1_000_000_000n;

function equalBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('RGB-D rendering', () => {
  const world = new SimWorld({ seed: 1001 });

  it('renders 640×480 rgb24 and Z16 (mm) frames', () => {
    const cam = renderFrame(world, 'camera', T_REF_NS, 0);
    expect(cam).toMatchObject({ width: 640, height: 480, format: 'rgb24' });
    expect(cam.data.length).toBe(640 * 480 * 3);
    const depth = renderFrame(world, 'depth', T_REF_NS, 0);
    expect(depth).toMatchObject({ width: 640, height: 480, unitM: 0.001 });
    expect(depth.data).toBeInstanceOf(Uint16Array);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const t = T_REF_NS + 3n * S;
    expect(equalBytes(renderFrame(world, 'camera', t, 0).data, renderFrame(new SimWorld({ seed: 1001 }), 'camera', t, 0).data)).toBe(true);
    expect(equalBytes(renderFrame(world, 'camera', t, 0).data, renderFrame(new SimWorld({ seed: 1002 }), 'camera', t, 0).data)).toBe(false);
    expect(equalBytes(renderFrame(world, 'depth', t, 0).data, renderFrame(world, 'depth', t + 33_000_000n, 1).data)).toBe(false);
  });

  it('sees the table top at ~2.2 m and the floor at ~3.0 m, with a few invalid pixels', () => {
    const d = renderFrame(world, 'depth', T_REF_NS + 7n * S, 0).data;
    // Image point of world (0.5, −0.1): on the table, clear of the arm, tray and clutter.
    const u = Math.round(320 + (554.256 * 0.5) / 2.2);
    const v = Math.round(240 + (554.256 * 0.1) / 2.2);
    const near = [];
    for (let dv = -3; dv <= 3; dv++) for (let du = -3; du <= 3; du++) near.push(d[(v + dv) * WIDTH + u + du]!);
    const valid = near.filter((x) => x > 0).sort((a, b) => a - b);
    expect(valid[valid.length >> 1]).toBeGreaterThan(2160);
    expect(valid[valid.length >> 1]).toBeLessThan(2240);
    const corner = [...d.subarray(0, 20)].filter((x) => x > 0);
    for (const x of corner) expect(Math.abs(x - 2980)).toBeLessThan(150);
    const invalid = d.reduce((n, x) => n + (x === 0 ? 1 : 0), 0) / d.length;
    expect(invalid).toBeGreaterThan(0.002);
    expect(invalid).toBeLessThan(0.05);
  });

  it('shows a stereo occlusion band left of the table (pixels the second imager cannot see)', () => {
    const d = renderFrame(world, 'depth', T_REF_NS, 0).data;
    // Table's west edge (x = −0.8) on row 330 (y ≈ −0.36): south of the robot base and its arm.
    const uEdge = Math.ceil(320 - (554.256 * 0.8) / 2.2);
    const row = [...d.subarray(330 * WIDTH + uEdge - 6, 330 * WIDTH + uEdge)];
    expect(row.filter((x) => x === 0).length).toBeGreaterThanOrEqual(3);
  });

  it('lights the stack lamp green while running and amber while paused', () => {
    const { lampPixels } = world.rgbd().background();
    expect(lampPixels.length).toBeGreaterThan(200);
    const mean = (robot: 'running' | 'paused'): number[] => {
      const img = renderFrame(world, 'camera', T_REF_NS, 0, { overrides: { robot } }).data;
      const m = [0, 0, 0];
      for (const p of lampPixels) for (let c = 0; c < 3; c++) m[c]! += img[3 * p + c]! / lampPixels.length;
      return m;
    };
    const [rr, rg, rb] = mean('running');
    const [pr, pg, pb] = mean('paused');
    expect(rg!).toBeGreaterThan(rr! + 80);
    expect(rg!).toBeGreaterThan(rb!);
    expect(pr!).toBeGreaterThan(pg! + 40);
    expect(pg!).toBeGreaterThan(pb! + 60);
  });

  it('does not see the operator: flipping O leaves camera and depth frames byte-identical', () => {
    // Include instants around operator transitions (the walk must stay outside the frustum).
    const ts = [T_REF_NS, T_REF_NS + 11n * S];
    for (const c of world.timeline.changesBetween(T_REF_NS, T_REF_NS + 120n * S)) {
      if ((c.from & 1) !== (c.to & 1)) ts.push(c.at + 200_000_000n, c.at + 500_000_000n);
    }
    expect(ts.length).toBeGreaterThan(6);
    for (const t of ts) {
      for (const sensor of ['camera', 'depth'] as const) {
        const a = renderFrame(world, sensor, t, 0, { overrides: { operator: 'engaged' } });
        const b = renderFrame(world, sensor, t, 0, { overrides: { operator: 'resting' } });
        const natural = renderFrame(world, sensor, t, 0);
        expect(equalBytes(a.data, b.data)).toBe(true);
        expect(equalBytes(a.data, natural.data)).toBe(true);
      }
    }
  });

  it('does see the robot: flipping R changes many pixels', () => {
    const t = T_REF_NS + 2n * S;
    const a = renderFrame(world, 'depth', t, 0, { overrides: { robot: 'running' } }).data;
    const b = renderFrame(world, 'depth', t, 0, { overrides: { robot: 'paused' } }).data;
    let changed = 0;
    for (let p = 0; p < WIDTH * HEIGHT; p++) if (Math.abs(a[p]! - b[p]!) > 100) changed++;
    expect(changed).toBeGreaterThan(3000);
  });
});
