import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimWorld, observeAt } from '../../devices/sim/index.ts';
import type { AnySample, Modality } from '../../src/core/sample.ts';
import { InferenceClient, type FusionOutput } from '../../src/inference/inference-client.ts';
import { createRegistry } from '../../src/main.ts';

/** The worker and its client with the committed models: keep-newest under overload, lossless on demand. */
const world = new SimWorld({ seed: 77, lineHz: 50 });
function job(i: number): Partial<Record<Modality, AnySample>> {
  const o = observeAt(world, 1_800_000_000_000_000_000n + BigInt(i) * 700_000_000n);
  const base = { seq: i, t: o.t, receivedAt: o.t };
  return {
    camera: { ...base, kind: 'image', sourceId: 'cam0', payload: o.camera.payload },
    depth: { ...base, kind: 'depth', sourceId: 'depth0', payload: o.depth.payload },
    lidar: { ...base, kind: 'scan', sourceId: 'lidar0', payload: o.lidar.payload },
    eeg: { ...base, kind: 'eeg', sourceId: 'eeg0', payload: o.eeg.chunk },
  };
}

async function client(lossless: boolean, nice?: number): Promise<{ c: InferenceClient; outs: FusionOutput<number>[] }> {
  const outs: FusionOutput<number>[] = [];
  const c = new InferenceClient({
    modelDir: 'models/reference',
    preprocessModule: createRegistry().preprocessModule,
    ...(lossless ? { lossless: true } : {}),
    ...(nice !== undefined ? { nice } : {}),
    onOutput: (o) => outs.push(o as FusionOutput<number>),
  });
  await c.start();
  return { c, outs };
}

/** Niceness of every thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return [Number(fields[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

describe('InferenceClient + worker', () => {
  it('runs the worker thread at the configured niceness, and only that thread', async () => {
    const base = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[16]);
    const before = threadNiceness();
    const { c } = await client(false, base + 7);
    const during = threadNiceness();
    // The worker (and any ORT thread it made) 7 lower; the main thread and Node's own threads untouched.
    expect(during.filter((n) => n === base + 7).length).toBeGreaterThanOrEqual(1);
    expect(during.filter((n) => n === base).length).toBeGreaterThanOrEqual(before.filter((n) => n === base).length);
    expect(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[16])).toBe(base);
    await c.close();
  });

  it('keeps the newest set when sets arrive faster than inference, counting every drop', async () => {
    const { c, outs } = await client(false);
    const jobs = Array.from({ length: 8 }, (_, i) => job(i)); // rendered first: then they arrive at once
    for (let i = 0; i < 8; i++) c.submit({ inputs: jobs[i]!, context: i });
    await c.idle();
    const done = outs.map((o) => o.context);
    expect(done[0]).toBe(0); // the first runs at once
    expect(done[done.length - 1]).toBe(7); // the newest always survives
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const dropped = outs.reduce((a, o) => a + o.droppedBefore, 0);
    expect(dropped).toBe(8 - outs.length);
    expect(dropped).toBeGreaterThan(0);
    expect(c.droppedTotal).toBe(dropped);
    for (const o of outs) expect(Array.from(o.mask)).toEqual([1, 1, 1, 1]);
    await c.close();
  }, 60_000);

  it('lossless: every set, in order', async () => {
    const { c, outs } = await client(true);
    const jobs = Array.from({ length: 5 }, (_, i) => job(i));
    for (let i = 0; i < 5; i++) c.submit({ inputs: jobs[i]!, context: i });
    await c.idle();
    expect(outs.map((o) => o.context)).toEqual([0, 1, 2, 3, 4]);
    expect(c.droppedTotal).toBe(0);
    await c.close();
  }, 60_000);

  it('a frame carried by a dropped set is still used when a later set refers to it', async () => {
    const { c, outs } = await client(false);
    const [j0, a, j2] = [job(0), job(1), job(2)];
    c.submit({ inputs: j0, context: 0 });
    c.submit({ inputs: a, context: 1 }); // waits, then is replaced by the next one
    c.submit({ inputs: { ...j2, camera: a.camera! }, context: 2 }); // same camera frame, sent by reference
    await c.idle();
    expect(outs.map((o) => o.context)).toEqual([0, 2]);
    const last = outs[outs.length - 1]!;
    expect(last.context).toBe(2);
    expect(Array.from(last.mask)).toEqual([1, 1, 1, 1]);
    await c.close();
  }, 60_000);
});
