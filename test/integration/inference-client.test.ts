import { readFileSync, readdirSync } from 'node:fs';
import { allowedCpus } from '../../src/core/affinity.ts';
import { describe, expect, it } from 'vitest';
import { SimWorld, observeAt } from '../../devices/sim/index.ts';
import type { AnySample, Modality, Sample } from '../../src/core/sample.ts';
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

async function client(o: { lossless?: boolean; nice?: number; helpers?: number; cpus?: number[]; helperCpus?: number[]; errors?: Error[]; returned?: ArrayBuffer[]; outAt?: number[] } = {}): Promise<{ c: InferenceClient; outs: FusionOutput<number>[] }> {
  const outs: FusionOutput<number>[] = [];
  const c = new InferenceClient({
    modelDir: 'models/reference',
    preprocessModule: createRegistry().preprocessModule,
    ...(o.lossless ? { lossless: true } : {}),
    ...(o.nice !== undefined ? { nice: o.nice } : {}),
    ...(o.helpers ? { preprocessThreads: o.helpers } : {}),
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(o.helperCpus ? { helperCpus: o.helperCpus } : {}),
    onOutput: (out) => (outs.push(out as FusionOutput<number>), o.outAt?.push(performance.now())),
    onError: (err) => o.errors?.push(err),
    onReturned: (buffers) => o.returned?.push(...buffers),
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
    const { c } = await client({ nice: base + 7 });
    const during = threadNiceness();
    // The worker (and any ORT thread it made) 7 lower; the main thread and Node's own threads untouched.
    expect(during.filter((n) => n === base + 7).length).toBeGreaterThanOrEqual(1);
    expect(during.filter((n) => n === base).length).toBeGreaterThanOrEqual(before.filter((n) => n === base).length);
    expect(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[16])).toBe(base);
    await c.close();
  });

  it.skipIf((allowedCpus()?.length ?? 0) < 2)('pins the worker and its helper to the CPUs it is given, and nothing else', async () => {
    const all = allowedCpus() as number[];
    const masks = (): string[] =>
      readdirSync('/proc/self/task').flatMap((tid) => {
        const m = allowedCpus(`/proc/self/task/${tid}/status`);
        return m ? [m.join(',')] : [];
      });
    const before = masks();
    const [first, last] = [all[0] as number, all[all.length - 1] as number];
    const { c, outs } = await client({ helpers: 1, cpus: [last], helperCpus: [first] });
    const during = masks();
    // The worker (and the threads it starts before its helper pins itself: tsx's loader here).
    expect(during.filter((m) => m === String(last)).length).toBeGreaterThanOrEqual(1);
    expect(during.filter((m) => m === String(first)).length).toBeGreaterThanOrEqual(1); // its helper
    // This thread and every thread that was here before: untouched.
    expect(allowedCpus(`/proc/self/task/${process.pid}/status`)).toEqual(all);
    expect(during.filter((m) => m === all.join(',')).length).toBeGreaterThanOrEqual(before.length);
    c.submit({ inputs: job(0), context: 0 });
    await c.idle();
    expect(outs[0]?.mask).toEqual(Float32Array.from([1, 1, 1, 1]));
    await c.close();
  });
});

describe.each([0, 1])('InferenceClient + worker with %i preprocessing helper(s)', (helpers) => {
  it('keeps the newest set when sets arrive faster than inference, counting every drop', async () => {
    const { c, outs } = await client({ helpers });
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
    const { c, outs } = await client({ lossless: true, helpers });
    const jobs = Array.from({ length: 5 }, (_, i) => job(i));
    for (let i = 0; i < 5; i++) c.submit({ inputs: jobs[i]!, context: i });
    await c.idle();
    expect(outs.map((o) => o.context)).toEqual([0, 1, 2, 3, 4]);
    expect(c.droppedTotal).toBe(0);
    await c.close();
  }, 60_000);

  it('times each set: its wait behind the fusion running, and its trip to the worker and back', async () => {
    const outAt: number[] = [];
    const { c, outs } = await client({ lossless: true, helpers, outAt });
    const jobs = Array.from({ length: 4 }, (_, i) => job(i));
    const submitted: number[] = [];
    for (let i = 0; i < 4; i++) {
      submitted.push(performance.now());
      c.submit({ inputs: jobs[i]!, context: i });
    }
    await c.idle();
    const stages = outs.map((o) => o.stageMs);
    stages.forEach((s, k) => {
      expect(s.handoff).toBeGreaterThan(0);
      expect(s.queue).toBeGreaterThanOrEqual(0);
      // Disjoint parts of what this thread saw between submitting the set and getting its output.
      expect(s.handoff + s.queue + s.preprocess + s.encode + s.fuse).toBeLessThanOrEqual(outAt[k]! - submitted[k]! + 0.01);
    });
    // The first set ran at once; the others arrived while one ran, and waited behind it.
    expect(Math.max(...stages.slice(1).map((s) => s.queue))).toBeGreaterThan(stages[0]!.queue);
    await c.close();
  }, 60_000);

  it('a frame carried by a dropped set is still used when a later set refers to it', async () => {
    // Whether set 1 is dropped depends on set 2 arriving while set 0 still runs (~4 ms here, after
    // warm-up): on a busy machine it may not. Retry until it is; every attempt must end full.
    const { c, outs } = await client({ helpers });
    let droppedOnce = false;
    for (let attempt = 0; attempt < 5 && !droppedOnce; attempt++) {
      outs.length = 0;
      const [j0, a, j2] = [job(10 * attempt), job(10 * attempt + 1), job(10 * attempt + 2)];
      c.submit({ inputs: j0, context: 0 });
      c.submit({ inputs: a, context: 1 }); // waits, then is replaced by the next one
      c.submit({ inputs: { ...j2, camera: a.camera! }, context: 2 }); // same camera frame, sent by reference
      await c.idle();
      const last = outs[outs.length - 1]!;
      expect(last.context).toBe(2);
      expect(Array.from(last.mask)).toEqual([1, 1, 1, 1]);
      droppedOnce = outs.map((o) => o.context).join() === '0,2';
    }
    expect(droppedOnce).toBe(true);
    await c.close();
  }, 60_000);

  it('a frame that fails preprocessing fails its set with an error (buffers back), and the next set runs', async () => {
    const errors: Error[] = [];
    const returned: ArrayBuffer[] = [];
    const { c, outs } = await client({ lossless: true, helpers, errors, returned });
    const bad = job(1);
    const depth = bad.depth as Sample<'depth'>;
    bad.depth = { ...depth, payload: { ...depth.payload, width: 17 } }; // 17 × 480 ≠ the data's length
    c.submit({ inputs: job(0), context: 0 });
    c.submit({ inputs: bad, context: 1 });
    c.submit({ inputs: job(2), context: 2 });
    await c.idle();
    expect(outs.map((o) => o.context)).toEqual([0, 2]);
    expect(errors.length).toBe(1);
    expect(errors[0]?.message).toMatch(/depth/);
    // All three depth frames are back — the bad one with the error or with the next result,
    // whichever thread had it; the good ones once encoded.
    const depthBuffers = [...returned, ...outs.flatMap((o) => o.returned)].filter((buf) => buf.byteLength === 640 * 480 * 2);
    expect(depthBuffers.length).toBe(3);
    await c.close();
  }, 60_000);
});

describe('preprocessing helpers', () => {
  it('give bit-identical results to the worker alone, and every frame buffer comes back', async () => {
    const run = async (helpers: number): Promise<{ probs: number[][]; returned: number }> => {
      const { c, outs } = await client({ lossless: true, helpers });
      for (let i = 0; i < 6; i++) c.submit({ inputs: job(i), context: i });
      await c.idle();
      await c.close();
      return { probs: outs.map((o) => Array.from(o.probs)), returned: outs.reduce((a, o) => a + o.returned.length, 0) };
    };
    const alone = await run(0);
    const helped = await run(1);
    expect(helped.probs).toEqual(alone.probs);
    expect(helped.returned).toBe(alone.returned);
    expect(alone.returned).toBeGreaterThanOrEqual(5 * 4); // every frame but the newest per modality
  }, 60_000);
});
