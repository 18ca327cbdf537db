import { describe, expect, it } from 'vitest';
import { SimWorld, latestFrame } from '../../../devices/sim/index.ts';
import { REFERENCE_PREPROCESS, createPreprocessor } from '../../../models/preprocess/index.ts';
import type { AnySample } from '../../../src/core/sample.ts';
import { PreprocessPool } from '../../../src/inference/preprocess-pool.ts';
import { createRegistry } from '../../../src/main.ts';

const world = new SimWorld({ seed: 5, lineHz: 50 });
const depthSample = (i: number): AnySample => ({ kind: 'depth', sourceId: 'd', seq: i, t: 0n, receivedAt: 0n, payload: latestFrame(world, 'depth', 1_800_000_000_000_000_000n + BigInt(i) * 100_000_000n).payload });

describe('PreprocessPool', () => {
  it('preprocesses exactly as in-thread and gives the frame back; a dead helper leaves the pool empty, not hung', async () => {
    const pool = await PreprocessPool.start(1, { preprocessModule: createRegistry().preprocessModule, specs: { depth: REFERENCE_PREPROCESS.depth } });
    const s = depthSample(1);
    const want = createPreprocessor(REFERENCE_PREPROCESS.depth)(structuredClone(s.payload));
    const r = await pool.run('depth', s);
    expect(Array.from(r.x)).toEqual(Array.from(want));
    expect(r.returned.map((b) => b.byteLength)).toEqual([640 * 480 * 2]);
    // A frame sent to a helper that is dying fails; the pool then has no helper and says so.
    pool.crashOne();
    const inFlight = pool.run('depth', depthSample(2));
    await expect(inFlight).rejects.toThrow(/preprocess helper (crashed|exited)/);
    expect(pool.available).toBe(0);
    await expect(pool.run('depth', depthSample(3))).rejects.toThrow(/no preprocess helper left/);
    await pool.close();
  });
});
