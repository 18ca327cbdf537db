/**
 * bench:pipeline — the full pipeline in fast replay (align → worker inference → QoS 1 publish to a
 * local broker) against a bare ORT loop over the same models and inputs, in the same run.
 *
 *   bare:      for each set: preprocess ×4 → 4 int8 encoders → head, sequential, one thread
 *   pipeline:  the Runtime on a manual clock fed pre-rendered simulator samples; the worker is kept
 *              busy (one fusion waiting, none dropped); results published QoS 1
 *
 * Last line: {"ratio", "addedLatencyP50Ms", "addedLatencyP99Ms", "eventLoopLagP99Ms", "handoffFloor…", …}
 *   ratio = median over rounds of pipeline results/s ÷ bare sets/s, each at steady state (from a
 *   round's first completion to its last: the pipeline's first result waits a whole latency, which
 *   is not throughput); added latency = trigger→publish minus the worker's own
 *   preprocess+encode+fuse time (measured one set at a time); event-loop lag p99 while saturated;
 *   handoff floor = a bare worker_threads round trip (main → worker → main, the worker busy as long
 *   as that set's inference), one after each latency set: the part of the added latency that is
 *   the machine's thread wake-up, not the runtime; pipelineHandoff = the results' own trip to the
 *   worker and back (lineage.stageMs.handoff), the part of the added latency that is hand-offs.
 *   latency/bareLatency: trigger→publish one set at a time, and the bare loop's preprocess→fuse
 *   one set at a time right after.
 * cpuMsPerSet: CPU time per set by thread group (main, the pipeline's worker threads, other) and how
 *   long each group waited for a CPU, from /proc/self/task/<tid>/schedstat (Linux).
 * BENCH_CPUS=auto|1,2 runs the pipeline with inference.cpus pinning (default none, as configured by
 *   default); the bare loop's rounds always get every CPU at normal priority.
 * BENCH_PREPROCESS_THREADS sets inference.preprocessThreads (default: the config's auto);
 * BENCH_NICE sets inference.nice (default 10).
 * stealPct: CPU time the hypervisor took from this VM during the rounds (/proc/stat).
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createPreprocessor } from '../models/preprocess/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { allowedCpus } from '../src/core/affinity.ts';
import { wire } from '../src/config/wiring.ts';
import { ManualClock } from '../src/core/clocks.ts';
import { silentLogger } from '../src/core/logger.ts';
import { BufferPool } from '../src/core/buffer-pool.ts';
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
import { renderInputs } from './pipeline-inputs.ts';
import { createFloor, lagSampler, type LagSampler } from './pipeline-probes.ts';
import { CpuAccount, placeThreads, threadPlacement, threadTimes, withSteal } from './thread-cpu.ts';

const SETS = Number(process.env.BENCH_SETS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const LATENCY_SETS = Number(process.env.BENCH_LATENCY_SETS ?? 200);
/** Saturated sets through each side before measuring: V8 was still optimising mqtt.js, streams and
 * pipeline code ten functions per 100 sets after a 15-set warm-up, on the pipeline's side only. */
const WARMUP_SETS = Number(process.env.BENCH_WARMUP_SETS ?? 400);
/** inference.cpus for the pipeline: none (the default config), auto, or a list such as "1,2". */
const CPUS_ENV = process.env.BENCH_CPUS ?? 'none';
const CPUS = CPUS_ENV === 'auto' || CPUS_ENV === 'none' ? CPUS_ENV : CPUS_ENV.split(',').map(Number);
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

// ---- inputs: pre-rendered simulator frames, one continuous EEG stream (25 new samples per set) --
log(`rendering ${DISTINCT} distinct sets from the simulator…`);
const SETS_FED = 15 + WARMUP_SETS + SETS * ROUNDS + LATENCY_SETS; // through the pipeline, all told
const inputs = renderInputs(DISTINCT, (SETS_FED + 20) * 25 + 250);
const { copyImage, copyDepth, copyScan, eegSlice } = inputs;

// ---- baseline: a bare ORT loop -------------------------------------------------------------------
/** The hand-written loop: same models, same preprocessing, same frames, one thread, no runtime. */
async function createBare(): Promise<{ round(n: number): Promise<number>; one(): Promise<number>; inferP50(): number; release(): Promise<void> }> {
  const models = await ModelSet.load(MODELS, new OnnxBackend(), { session: { intraOpThreads: 1 } });
  const pre = new Map<Modality, (p: AnySample['payload']) => Float32Array>();
  for (const m of models.modalities) pre.set(m, createPreprocessor(models.manifest.encoders[m]!.preprocess) as (p: AnySample['payload']) => Float32Array);
  const mask = new Float32Array(4).fill(1);
  const times: number[] = [];
  const bareStages = { pre: [] as number[], enc: [] as number[] };
  const local = new BufferPool();
  let k = 0;
  const run = async (): Promise<void> => {
    inputs.usePool(local);
    const camera = copyImage(k);
    const depth = copyDepth(k);
    const payloads: Record<Modality, AnySample['payload']> = {
      camera,
      depth,
      lidar: copyScan(k),
      eeg: { rateHz: 250, channels: inputs.eegChannels, data: eegSlice((k % (SETS + LATENCY_SETS)) * 25, 250), firstSampleIndex: k * 25 },
    };
    k++;
    const t0 = performance.now();
    const xs = models.modalities.map((m) => pre.get(m)!(payloads[m]));
    const t1 = performance.now();
    const embs: Partial<Record<Modality, Float32Array>> = {};
    for (const [i, m] of models.modalities.entries()) embs[m] = await models.encode(m, xs[i]!);
    const t2 = performance.now();
    await models.fuse(embs, mask);
    times.push(performance.now() - t0);
    bareStages.pre.push(t1 - t0);
    bareStages.enc.push(t2 - t1);
    local.release(camera.data.buffer as ArrayBuffer);
    local.release(depth.data.buffer as ArrayBuffer);
  };
  for (let i = 0; i < 30; i++) await run(); // warm-up
  times.length = 0;
  return {
    /** Steady-state sets/s: between the first and the last completion, as the pipeline's. */
    async round(n) {
      await run();
      const first = performance.now();
      for (let i = 1; i < n; i++) await run();
      return (n - 1) / ((performance.now() - first) / 1000);
    },
    /** One set, timed like a fusion (preprocess + encode + fuse), for the latency comparison. */
    async one() {
      await run();
      return times[times.length - 1] as number;
    },
    inferP50: () => {
      log(`bare stages p50 ms: preprocess ${q(bareStages.pre, 0.5).toFixed(3)}, encode ${q(bareStages.enc, 0.5).toFixed(3)}`);
      return q(times, 0.5);
    },
    release: () => models.release(),
  };
}

// ---- the pipeline -------------------------------------------------------------------------------
/** One set at a time: per set, ms. `handoff`: the result's own trip to the worker and back. */
interface Latencies {
  added: number[];
  handoff: number[];
  infer: number[];
  total: number[];
}

interface PipelineBench {
  /** Results/s over n saturated sets; event-loop lag is sampled only when `measured`. */
  round(n: number, measured?: boolean): Promise<number>;
  latency(n: number, between: (inferMs: number) => Promise<void>): Promise<Latencies>;
  lag: LagSampler;
  stop(): Promise<{ dropped: number; pool: unknown }>;
}

async function createPipeline(mqttUrl: string): Promise<PipelineBench> {
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
    inference: { cpus: CPUS, ...(process.env.BENCH_NICE ? { nice: Number(process.env.BENCH_NICE) } : {}), ...(process.env.BENCH_PREPROCESS_THREADS ? { preprocessThreads: Number(process.env.BENCH_PREPROCESS_THREADS) } : {}) },
  });
  const wiring = await wire(config, registry, '/');
  const clock = new ManualClock(T0);
  // Count, keep only the newest: a subscriber lives in another process, and retaining every result
  // here grew the main heap into a major GC (7-11 ms pause) every second.
  let lastResult: ResultPayload | undefined;
  /** When each result of the current round arrived (ms). */
  let arrivals: number[] = [];
  let wake: (() => void) | undefined;
  const runtime = new Runtime({ wiring, registry, clock, log: silentLogger, mqttUrl, sinks: [(r) => ((lastResult = r), arrivals.push(performance.now()), wake?.())] });
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
      push({ kind: 'eeg', sourceId: 'eeg0', seq: eegNext / 10, t, tEnd: t + 36n * MS, receivedAt: t + 48n * MS, payload: { rateHz: 250, channels: inputs.eegChannels, data: eegSlice(eegNext, 10), firstSampleIndex: eegNext } } satisfies Sample<'eeg'>);
      eegNext += 10;
    }
  };
  const nextResult = (): Promise<void> => new Promise((r) => (wake = r));
  let k = 0;
  inputs.usePool(runtime.pool);
  // Warm-up: fill the EEG history (the window needs 1 s) and let the worker JIT.
  for (; k < 15; k++) {
    const tk = T0 + BigInt(k + 1) * 100n * MS;
    feed(k, tk);
    await clock.advanceTo(tk);
    await runtime.idle();
  }
  const lag = lagSampler();
  // Throughput: keep exactly one fusion waiting behind the running one. Steady state: results
  // between the first and the last of the round (the first one's wait is latency, not throughput).
  const round = async (n: number, measured = true): Promise<number> => {
    inputs.usePool(runtime.pool);
    arrivals = [];
    if (measured) lag.enable();
    for (let i = 0; i < n; i++, k++) {
      while (p.queued >= 2) await nextResult();
      const tk = T0 + BigInt(k + 1) * 100n * MS;
      feed(k, tk);
      await clock.advanceTo(tk);
    }
    await runtime.idle();
    lag.disable();
    const [first, last] = [arrivals[0], arrivals[arrivals.length - 1]];
    if (first === undefined || last === undefined || arrivals.length !== n) throw new Error(`${arrivals.length} results for ${n} sets`);
    return (n - 1) / ((last - first) / 1000);
  };
  // Latency: one set at a time, no queueing.
  const stages = { pre: [] as number[], enc: [] as number[], fuse: [] as number[] };
  const latency = async (n: number, between: (inferMs: number) => Promise<void>): Promise<Latencies> => {
    inputs.usePool(runtime.pool);
    const added: number[] = [];
    const handoff: number[] = [];
    const infer: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < n; i++, k++) {
      inputs.usePool(runtime.pool); // `between` may have run the bare loop, which uses its own
      const tk = T0 + BigInt(k + 1) * 100n * MS;
      feed(k, tk);
      await clock.advanceTo(tk);
      await runtime.idle();
      const r = lastResult!;
      const s = r.lineage.stageMs!;
      added.push(s.total - (s.preprocess + s.encode + s.fuse));
      handoff.push(s.handoff ?? NaN);
      infer.push(s.preprocess + s.encode + s.fuse);
      total.push(s.total);
      stages.pre.push(s.preprocess);
      stages.enc.push(s.encode);
      stages.fuse.push(s.fuse);
      await between(s.preprocess + s.encode + s.fuse);
    }
    log(`worker stages p50 ms: preprocess ${q(stages.pre, 0.5).toFixed(3)}, encode ${q(stages.enc, 0.5).toFixed(3)}, fuse ${q(stages.fuse, 0.5).toFixed(3)}`);
    return { added, handoff, infer, total };
  };
  return {
    round,
    latency,
    lag,
    async stop() {
      await runtime.publisher?.flush(10_000);
      const dropped = p.inferenceDrops;
      const stats = runtime.pool.stats();
      await runtime.stop(5000);
      return { dropped, pool: stats };
    },
  };
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
log(`inference.cpus ${JSON.stringify(CPUS)}; broker: ${brokerKind} at ${url}; ${ROUNDS} alternating rounds of ${SETS} sets (bare loop vs pipeline), then ${LATENCY_SETS} sets one at a time for latency`);
// Alternate bare and pipeline rounds in one process, so a noisy machine hits both alike.
const bare = await createBare();
const threadsBefore = new Set(threadTimes().keys());
const allCpus = allowedCpus() ?? [];
const pl = await createPipeline(url);
// CPU per set by thread: main (the bare loop runs there too), the pipeline's own threads (inference
// worker, preprocessing helper), and the rest (V8's compiler and GC threads, libuv).
const pipelineThreads = new Set([...threadTimes().keys()].filter((t) => !threadsBefore.has(t)));
const groupOf = (tid: number): string => (tid === process.pid ? 'main' : pipelineThreads.has(tid) ? 'workers' : 'other');
const cpu = { bare: new CpuAccount(groupOf), pipeline: new CpuAccount(groupOf) };
// The runtime has placed this process's threads (inference.cpus). The bare loop gets them back on
// every CPU at normal priority, as a plain process has them (pinned beside V8's lowered threads it
// waited 0.15-0.26 ms per set for its CPU); the pipeline's rounds get the runtime's placement.
const placed = [...threadTimes().keys()].filter((t) => !pipelineThreads.has(t)).map((tid) => ({ tid, ...threadPlacement(tid) }));
const forBare = (): void => placeThreads(placed.map((p) => p.tid), allCpus, 0);
const forPipeline = (): void => {
  for (const p of placed) if (p.cpus) placeThreads([p.tid], p.cpus, p.nice);
};
log(`steady state first: ${WARMUP_SETS} saturated sets through the pipeline, ${Math.ceil(WARMUP_SETS / 4)} through the bare loop`);
forBare();
await bare.round(Math.ceil(WARMUP_SETS / 4));
forPipeline();
await pl.round(WARMUP_SETS, false);
const ratios: number[] = [];
const bareRates: number[] = [];
const plRates: number[] = [];
const bareRound = (): Promise<number> => (forBare(), cpu.bare.measure(() => bare.round(SETS)));
const plRound = (): Promise<number> => (forPipeline(), cpu.pipeline.measure(() => pl.round(SETS)));
const { stealPct } = await withSteal(async () => {
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0 ? 'bare' : 'pipeline';
    const a = first === 'bare' ? await bareRound() : await plRound();
    const b = first === 'bare' ? await plRound() : await bareRound();
    const [br, pr] = first === 'bare' ? [a, b] : [b, a];
    bareRates.push(br);
    plRates.push(pr);
    ratios.push(pr / br);
    log(`round ${r + 1}: bare ${br.toFixed(1)} sets/s, pipeline ${pr.toFixed(1)} results/s, ratio ${(pr / br).toFixed(3)}`);
  }
});
log(`CPU time taken by the hypervisor (steal) during the rounds: ${stealPct ?? 'unknown'} %`);
const cpuBare = cpu.bare.perSet(SETS * ROUNDS);
const cpuPipeline = cpu.pipeline.perSet(SETS * ROUNDS);
const fmt = (c: Record<string, { run: number; wait: number }>): string =>
  Object.entries(c)
    .map(([g, v]) => `${g} ${v.run.toFixed(3)} (+${v.wait.toFixed(3)} waiting for a CPU)`)
    .join(', ');
log(`CPU ms per set, bare rounds: ${fmt(cpuBare)}`);
log(`CPU ms per set, pipeline rounds: ${fmt(cpuPipeline)}`);
const floor = await createFloor();
const floorMs: number[] = [];
forPipeline();
const lat = await pl.latency(LATENCY_SETS, async (inferMs) => void floorMs.push(await floor.ping(inferMs)));
// The bare loop one set at a time, after (interleaved, its garbage would land in the pipeline's sets).
const bareOneMs: number[] = [];
forBare();
for (let i = 0; i < LATENCY_SETS; i++) {
  await new Promise((r) => setTimeout(r, 1));
  bareOneMs.push(await bare.one());
}
await floor.stop();
const lag = pl.lag;
const lagMs = { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
const end = await pl.stop();
const inferBare = bare.inferP50();
await bare.release();
await stopBroker();
log(`frame pool ${JSON.stringify(end.pool)}; keep-newest drops ${end.dropped}`);
log(`added latency p50 ${q(lat.added, 0.5).toFixed(3)} ms, p99 ${q(lat.added, 0.99).toFixed(3)} ms over inference p50 ${q(lat.infer, 0.5).toFixed(3)} ms (bare ${inferBare.toFixed(3)} ms)`);
log(`end to end, one set at a time: pipeline trigger→publish p50 ${q(lat.total, 0.5).toFixed(3)} ms, p99 ${q(lat.total, 0.99).toFixed(3)} ms; bare loop preprocess→fuse (one at a time, right after) p50 ${q(bareOneMs, 0.5).toFixed(3)} ms, p99 ${q(bareOneMs, 0.99).toFixed(3)} ms`);
log(`of the added latency, the set's own trip to the worker and back (lineage.stageMs.handoff): p50 ${q(lat.handoff, 0.5).toFixed(3)} ms, p99 ${q(lat.handoff, 0.99).toFixed(3)} ms`);
log(`thread hand-off floor (bare worker round trip minus its work, same moments): p50 ${q(floorMs, 0.5).toFixed(3)} ms, p99 ${q(floorMs, 0.99).toFixed(3)} ms`);
log(`event-loop delay while saturated: p50 ${lagMs.p50.toFixed(2)} ms, p99 ${lagMs.p99.toFixed(2)} ms, max ${lagMs.max.toFixed(2)} ms`);
console.log(
  JSON.stringify({
    ratio: r3(q(ratios, 0.5)),
    addedLatencyP50Ms: r3(q(lat.added, 0.5)),
    addedLatencyP99Ms: r3(q(lat.added, 0.99)),
    eventLoopLagP99Ms: r3(lagMs.p99),
    latencyP50Ms: r3(q(lat.total, 0.5)),
    latencyP99Ms: r3(q(lat.total, 0.99)),
    bareLatencyP50Ms: r3(q(bareOneMs, 0.5)),
    bareLatencyP99Ms: r3(q(bareOneMs, 0.99)),
    pipelineHandoffP50Ms: r3(q(lat.handoff, 0.5)),
    pipelineHandoffP99Ms: r3(q(lat.handoff, 0.99)),
    handoffFloorP50Ms: r3(q(floorMs, 0.5)),
    handoffFloorP99Ms: r3(q(floorMs, 0.99)),
    pipelineSetsPerSec: r3(q(plRates, 0.5)),
    bareSetsPerSec: r3(q(bareRates, 0.5)),
    ratios: ratios.map(r3),
    inferenceP50Ms: r3(q(lat.infer, 0.5)),
    cpuMsPerSet: { bare: cpuBare, pipeline: cpuPipeline },
    keepNewestDrops: end.dropped,
    cpus: CPUS,
    broker: brokerKind,
    stealPct,
  }),
);
