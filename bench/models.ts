/**
 * bench:models — per-model latency (median, p99; 1 intra-op thread, batch 1) of the committed
 * reference models, int8 vs float, on real preprocessed simulator inputs. int8 and float sessions
 * run interleaved in blocks in the same process, so machine noise hits both alike.
 * Last line: {"encoders":{"camera":{"int8":{"p50Ms","p99Ms"},"float":{…},"speedup"}…},"heads":{…}}
 */
import { performance } from 'node:perf_hooks';
import { SimWorld, observeAt } from '../devices/sim/index.ts';
import { createPreprocessor } from '../models/preprocess/index.ts';
import type { AnySample, Modality } from '../src/core/sample.ts';
import { ModelSet } from '../src/inference/model-set.ts';
import { OnnxBackend } from '../src/inference/onnx-backend.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const BLOCK = 50;
const MODELS = new URL('../models/reference', import.meta.url).pathname;
const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

const backend = new OnnxBackend();
const int8 = await ModelSet.load(MODELS, backend, { head: '*', session: { intraOpThreads: 1 } });
const float = await ModelSet.load(MODELS, backend, { head: '*', precision: 'float', session: { intraOpThreads: 1 } });

// Real inputs: a few observations of the simulated cell, preprocessed as the runtime does.
const world = new SimWorld({ seed: 31337, lineHz: 50 });
const inputs = new Map<Modality, Float32Array[]>();
for (let i = 0; i < 8; i++) {
  const o = observeAt(world, 1_800_000_000_000_000_000n + BigInt(i) * 1_300_000_000n);
  const raw: Record<Modality, AnySample['payload']> = { camera: o.camera.payload, depth: o.depth.payload, lidar: o.lidar.payload, eeg: o.eeg.chunk };
  for (const m of int8.modalities) {
    const fn = createPreprocessor(int8.manifest.encoders[m]!.preprocess) as (p: AnySample['payload']) => Float32Array;
    inputs.set(m, [...(inputs.get(m) ?? []), fn(raw[m])]);
  }
}

async function time(fn: (i: number) => Promise<unknown>, samples: number[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
}

const out: { encoders: Record<string, unknown>; heads: Record<string, unknown> } = { encoders: {}, heads: {} };
const lines: string[] = ['model            int8 p50 / p99 (ms)    float p50 / p99 (ms)   speed-up (p50)'];
for (const m of int8.modalities) {
  const xs = inputs.get(m)!;
  const a: number[] = [];
  const b: number[] = [];
  await time((i) => int8.encode(m, xs[i % xs.length]!), [], BLOCK);
  await time((i) => float.encode(m, xs[i % xs.length]!), [], BLOCK);
  for (let done = 0; done < RUNS; done += BLOCK) {
    await time((i) => int8.encode(m, xs[i % xs.length]!), a, BLOCK);
    await time((i) => float.encode(m, xs[i % xs.length]!), b, BLOCK);
  }
  const res = { int8: { p50Ms: r3(q(a, 0.5)), p99Ms: r3(q(a, 0.99)) }, float: { p50Ms: r3(q(b, 0.5)), p99Ms: r3(q(b, 0.99)) }, speedup: r3(q(b, 0.5) / q(a, 0.5)) };
  out.encoders[m] = res;
  lines.push(`enc_${m.padEnd(12)} ${res.int8.p50Ms.toFixed(3)} / ${res.int8.p99Ms.toFixed(3)}          ${res.float.p50Ms.toFixed(3)} / ${res.float.p99Ms.toFixed(3)}          ${res.speedup.toFixed(2)}×`);
}
// Heads (float by design: int8 heads gain nothing at this size) on real embeddings.
const embs: Partial<Record<Modality, Float32Array>> = {};
for (const m of int8.modalities) embs[m] = await int8.encode(m, inputs.get(m)![0]!);
const mask = new Float32Array(4).fill(1);
for (const head of Object.keys(int8.manifest.heads)) {
  const a: number[] = [];
  await time(() => int8.fuse(embs, mask, 1, head), [], BLOCK);
  await time(() => int8.fuse(embs, mask, 1, head), a, RUNS);
  out.heads[head] = { p50Ms: r3(q(a, 0.5)), p99Ms: r3(q(a, 0.99)) };
  lines.push(`head_${head.padEnd(11)} ${q(a, 0.5).toFixed(3)} / ${q(a, 0.99).toFixed(3)}  (float)`);
}
await int8.release();
await float.release();
process.stderr.write(`${lines.join('\n')}\n`);
console.log(JSON.stringify(out));
