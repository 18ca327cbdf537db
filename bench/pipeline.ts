/**
 * bench:pipeline — the full pipeline in fast replay (align → worker inference → QoS 1 publish to a
 * local broker) against a bare ORT loop over the same models and inputs, in the same run.
 *
 *   bare:      for each set: preprocess ×4 → 4 int8 encoders → head, sequential, one thread
 *   pipeline:  the Runtime on a manual clock fed pre-rendered simulator samples; the worker is kept
 *              busy (one fusion waiting, none dropped); results published QoS 1
 *
 * Last line: {"ratio", "addedLatencyP50Ms", "addedLatencyP99Ms", "eventLoopLagP99Ms", …}
 *   ratio = pipeline results/s ÷ bare sets/s; added latency = trigger→publish minus the worker's
 *   own preprocess+encode+fuse time (measured one set at a time); event-loop lag p99 while saturated.
 */
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SimWorld, eegWindowAt, latestFrame } from '../devices/sim/index.ts';
import { createPreprocessor } from '../models/preprocess/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { wire } from '../src/config/wiring.ts';
import { ManualClock } from '../src/core/clocks.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Registry } from '../src/core/registry.ts';
import type { AnySample, Modality, Sample } from '../src/core/sample.ts';
import { ModelSet } from '../src/inference/model-set.ts';
import { OnnxBackend } from '../src/inference/onnx-backend.ts';
import { createRegistry } from '../src/main.ts';
import { EmbeddedBroker } from '../src/publish/embedded-broker.ts';
import type { ResultPayload } from '../src/publish/payload-schema.ts';
import { Runtime } from '../src/pipeline/runtime.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { MemorySource } from './memory-source.ts';

const SETS = Number(process.env.BENCH_SETS ?? 600);
const LATENCY_SETS = Number(process.env.BENCH_LATENCY_SETS ?? 200);
const DISTINCT = 60;
const MS = 1_000_000n;
const T0 = 1_800_000_000_000_000_000n;
const MODELS = new URL('../models/reference', import.meta.url).pathname;

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// ---- inputs: pre-rendered simulator frames (the renderer is not what we measure) ---------------
log(`rendering ${DISTINCT} distinct sets from the simulator…`);
const world = new SimWorld({ seed: 424242, lineHz: 50 });
const base = 1_800_000_123_000_000_000n;
const frames = Array.from({ length: DISTINCT }, (_, k) => {
  const t = base + BigInt(k) * 700n * MS;
  return {
    camera: latestFrame(world, 'camera', t).payload,
    depth: latestFrame(world, 'depth', t).payload,
    lidar: latestFrame(world, 'lidar', t).payload,
  };
});
// One continuous EEG stream covering every set (25 new samples per 100 ms set, 1 s of history).
const eegTotal = (SETS + LATENCY_SETS + 20) * 25 + 250;
const eegStream = eegWindowAt(world, base + BigInt(eegTotal) * 4n * MS, { length: eegTotal }).chunk;

const copyImage = (k: number) => ({ ...frames[k % DISTINCT]!.camera, data: frames[k % DISTINCT]!.camera.data.slice() });
const copyDepth = (k: number) => ({ ...frames[k % DISTINCT]!.depth, data: frames[k % DISTINCT]!.depth.data.slice() });
const copyScan = (k: number) => ({ ...frames[k % DISTINCT]!.lidar, ranges: frames[k % DISTINCT]!.lidar.ranges.slice() });
/** EEG samples [first, first+n) of the stream, channel-major. */
function eegSlice(first: number, n: number): Float32Array {
  const ch = eegStream.channels;
  const len = eegStream.data.length / ch;
  const out = new Float32Array(ch * n);
  for (let c = 0; c < ch; c++) out.set(eegStream.data.subarray(c * len + first, c * len + first + n), c * n);
  return out;
}

// ---- baseline: a bare ORT loop -------------------------------------------------------------------
async function bare(): Promise<{ setsPerSec: number; inferP50: number }> {
  const models = await ModelSet.load(MODELS, new OnnxBackend(), { session: { intraOpThreads: 1 } });
  const pre = new Map<Modality, (p: AnySample['payload']) => Float32Array>();
  for (const m of models.modalities) pre.set(m, createPreprocessor(models.manifest.encoders[m]!.preprocess) as (p: AnySample['payload']) => Float32Array);
  const mask = new Float32Array(4).fill(1);
  const times: number[] = [];
  const run = async (k: number): Promise<void> => {
    const payloads: Record<Modality, AnySample['payload']> = {
      camera: copyImage(k),
      depth: copyDepth(k),
      lidar: copyScan(k),
      eeg: { rateHz: 250, channels: eegStream.channels, data: eegSlice(k * 25, 250), firstSampleIndex: k * 25 },
    };
    const t0 = performance.now();
    const embs: Partial<Record<Modality, Float32Array>> = {};
    for (const m of models.modalities) embs[m] = await models.encode(m, pre.get(m)!(payloads[m]));
    await models.fuse(embs, mask);
    times.push(performance.now() - t0);
  };
  for (let k = 0; k < 30; k++) await run(k); // warm-up
  times.length = 0;
  const start = performance.now();
  for (let k = 0; k < SETS; k++) await run(k);
  const elapsed = (performance.now() - start) / 1000;
  await models.release();
  return { setsPerSec: SETS / elapsed, inferP50: q(times, 0.5) };
}

// ---- the pipeline -------------------------------------------------------------------------------
async function pipeline(mqttUrl: string): Promise<{ setsPerSec: number; added: number[]; lagP99: number; results: number; dropped: number; infer: number[] }> {
  const d = (modality: Modality, kind: AnySample['kind'], hz: number, bytes: number) => new MemorySource(`bench/${modality}`, { kind, modality, nominalHz: hz, bytesPerSample: bytes });
  const src = { camera: d('camera', 'image', 10, 921600), depth: d('depth', 'depth', 10, 614400), lidar: d('lidar', 'scan', 10, 1440), eeg: d('eeg', 'eeg', 25, 320) };
  const real = createRegistry();
  const registry: Registry = { ...real, drivers: new Map(Object.values(src).map((s) => [s.driver.name, s.driver])) };
  const config = parseConfig({
    device: { id: 'bench', site: 'lab' },
    sources: { cam0: { driver: 'bench/camera' }, depth0: { driver: 'bench/depth' }, lidar0: { driver: 'bench/lidar' }, eeg0: { driver: 'bench/eeg' } },
    pipelines: {
      p: {
        models: MODELS,
        trigger: { every: '100ms' },
        inputs: {
          camera: { source: 'cam0', policy: 'latest', maxAge: '100ms' },
          depth: { source: 'depth0', policy: 'latest', maxAge: '100ms' },
          lidar: { source: 'lidar0', policy: 'latest', maxAge: '250ms' },
          eeg: { source: 'eeg0', policy: 'window', length: '1s', maxAge: '150ms' },
        },
      },
    },
    // The in-memory outbox: this measures the pipeline; bench:mqtt measures the durable spool.
    outputs: { mqtt: { broker: 'external', url: mqttUrl, qos: 1, spool: false }, console: { enabled: false } },
    metrics: { enabled: false },
  });
  const wiring = await wire(config, registry, '/');
  const clock = new ManualClock(T0);
  const results: ResultPayload[] = [];
  let wake: (() => void) | undefined;
  const runtime = new Runtime({ wiring, registry, clock, log: silentLogger, mqttUrl, sinks: [(r) => (results.push(r), wake?.())] });
  await runtime.start();
  const p = runtime.pipelines[0]!;
  let eegNext = 0;
  const feed = (k: number, tk: bigint): void => {
    const push = (s: AnySample): void => void src[s.sourceId === 'cam0' ? 'camera' : s.sourceId === 'depth0' ? 'depth' : s.sourceId === 'lidar0' ? 'lidar' : 'eeg'].queue.push(s);
    push({ kind: 'image', sourceId: 'cam0', seq: k, t: tk - 35n * MS, receivedAt: tk - 5n * MS, payload: copyImage(k) } satisfies Sample<'image'>);
    push({ kind: 'depth', sourceId: 'depth0', seq: k, t: tk - 30n * MS, receivedAt: tk - 5n * MS, payload: copyDepth(k) } satisfies Sample<'depth'>);
    push({ kind: 'scan', sourceId: 'lidar0', seq: k, t: tk - 150n * MS, tEnd: tk - 50n * MS, receivedAt: tk - 45n * MS, payload: copyScan(k) } satisfies Sample<'scan'>);
    // EEG: 10-sample chunks up to 20 ms before the trigger, continuing the stream.
    const lastIdx = Number((tk - 20n * MS - T0) / (4n * MS));
    while (eegNext + 10 <= lastIdx) {
      const t = T0 + BigInt(eegNext) * 4n * MS;
      push({ kind: 'eeg', sourceId: 'eeg0', seq: eegNext / 10, t, tEnd: t + 36n * MS, receivedAt: t + 48n * MS, payload: { rateHz: 250, channels: eegStream.channels, data: eegSlice(eegNext, 10), firstSampleIndex: eegNext } } satisfies Sample<'eeg'>);
      eegNext += 10;
    }
  };
  const nextResult = (): Promise<void> => new Promise((r) => (wake = r));
  let k = 0;
  // Warm-up: fill the EEG history (the window needs 1 s) and let the worker JIT.
  for (; k < 15; k++) {
    const tk = T0 + BigInt(k + 1) * 100n * MS;
    feed(k, tk);
    await clock.advanceTo(tk);
    await runtime.idle();
  }
  // Throughput: keep exactly one fusion waiting behind the running one.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const before = results.length;
  loop.enable();
  const start = performance.now();
  for (let n = 0; n < SETS; n++, k++) {
    while (p.queued >= 2) await nextResult();
    const tk = T0 + BigInt(k + 1) * 100n * MS;
    feed(k, tk);
    await clock.advanceTo(tk);
  }
  await runtime.idle();
  const elapsed = (performance.now() - start) / 1000;
  loop.disable();
  const produced = results.length - before;
  // Latency: one set at a time, no queueing.
  const added: number[] = [];
  const infer: number[] = [];
  for (let n = 0; n < LATENCY_SETS; n++, k++) {
    const tk = T0 + BigInt(k + 1) * 100n * MS;
    feed(k, tk);
    await clock.advanceTo(tk);
    await runtime.idle();
    const r = results[results.length - 1]!;
    const s = r.lineage.stageMs!;
    added.push(s.total - (s.preprocess + s.encode + s.fuse));
    infer.push(s.preprocess + s.encode + s.fuse);
  }
  await runtime.publisher?.flush(10_000);
  const dropped = p.inferenceDrops;
  await runtime.stop(5000);
  return { setsPerSec: produced / elapsed, added, lagP99: loop.percentile(99) / 1e6, results: produced, dropped, infer };
}

let brokerKind = 'mosquitto';
let stopBroker: () => Promise<void>;
let url: string;
try {
  execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
} catch (err) {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') brokerKind = 'aedes';
}
if (brokerKind === 'mosquitto') {
  const m = await startMosquitto();
  url = m.url;
  stopBroker = () => m.stop();
} else {
  const b = new EmbeddedBroker({ port: 0 });
  await b.start();
  url = b.url;
  stopBroker = () => b.stop();
}
log(`broker: ${brokerKind} at ${url}; ${SETS} sets for throughput, ${LATENCY_SETS} for latency`);
const b = await bare();
log(`bare ORT loop: ${b.setsPerSec.toFixed(1)} sets/s (preprocess+infer p50 ${b.inferP50.toFixed(3)} ms)`);
const pl = await pipeline(url);
log(`pipeline: ${pl.setsPerSec.toFixed(1)} results/s (${pl.results} results, ${pl.dropped} keep-newest drops)`);
log(`added latency p50 ${q(pl.added, 0.5).toFixed(3)} ms, p99 ${q(pl.added, 0.99).toFixed(3)} ms over inference p50 ${q(pl.infer, 0.5).toFixed(3)} ms; event-loop lag p99 ${pl.lagP99.toFixed(3)} ms`);
await stopBroker();
console.log(
  JSON.stringify({
    ratio: r3(pl.setsPerSec / b.setsPerSec),
    addedLatencyP50Ms: r3(q(pl.added, 0.5)),
    addedLatencyP99Ms: r3(q(pl.added, 0.99)),
    eventLoopLagP99Ms: r3(pl.lagP99),
    pipelineSetsPerSec: r3(pl.setsPerSec),
    bareSetsPerSec: r3(b.setsPerSec),
    inferenceP50Ms: r3(q(pl.infer, 0.5)),
    keepNewestDrops: pl.dropped,
    broker: brokerKind,
  }),
);
