import type { AnySample, SampleKind } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';
import { createSynchronizer, type PipelineSpec } from './create.ts';
import { DROP_REASONS, type DropCounts } from './synchronizer.ts';
import type { AlignedSet, MemberState } from './types.ts';
import { mulberry32 } from '../core/random.ts';

/** What a source promises (from its driver's `describe()`), for planning. */
export interface PlanSource {
  /** Samples per second (EEG: chunks per second). */
  nominalHz: number;
  bytesPerSample: number;
  /** Fixed delay from time of validity (EEG: a chunk's last sample) to arrival. */
  latencyNs?: bigint;
  /** Extra one-sided arrival delay, uniform in [0, jitter] (default 10 % of the period). */
  jitterNs?: bigint;
  kind?: SampleKind;
  /** EEG: samples per chunk, per-channel rate, channels. */
  samplesPerChunk?: number;
  rateHz?: number;
  channels?: number;
}

export interface PlanPrediction {
  policy: string;
  /** Simulated seconds in total (all phase runs). */
  simulatedS: number;
  /** Sets per second in the steady state (leaving out 1 s plus the longest window at the start, 1 s at the end). */
  outputHz: number;
  sets: number;
  /** Per modality: share of sets where it was fresh / held / missing, and drops by reason (per run). */
  inputs: Record<string, { sourceId: string; fresh: number; held: number; missing: number; drops: Partial<DropCounts> }>;
  /** Emission of a set minus the arrival of its newest member: how long a complete set waited. */
  alignWaitMs: { p50: number; max: number };
  /** Longest time a sample spent between its arrival and the first set that carries it. */
  worstCaseAddedLatencyMs: number;
  /** Longest emission − oldest member's time of validity (includes transport latency). */
  maxDataAgeMs: number;
  /** Most samples each source held at once, and the most payload bytes held in total. */
  bufferSamples: Record<string, number>;
  bufferBytes: number;
}

export interface PlanOptions {
  /** Simulated time per run (default 10 s). */
  durationNs?: bigint;
  /** Runs with the sources' phases shifted evenly through a period (default 6). */
  phases?: number;
  seed?: number;
}

const T0: TimestampNs = 1_700_000_000_000_000_000n;

/**
 * Predicts what a pipeline will do by running the real policy ({@link createSynchronizer}) on
 * simulated streams with the declared rates, latencies and jitter, in virtual time, the way the
 * runtime drives it (push and poll on each arrival, poll at each `nextDeadline()`). Deterministic
 * for a seed. Used by `sensorium plan`.
 */
export function predictPlan(pipeline: PipelineSpec, sources: ReadonlyMap<string, PlanSource>, options: PlanOptions = {}): PlanPrediction {
  const duration = options.durationNs ?? 10_000_000_000n;
  const phases = options.phases ?? 6;
  const rand = mulberry32(options.seed ?? 1);
  const runs: Raw[] = [];
  // Where each source's samples fall relative to the trigger and to each other decides a lot (a
  // 10 Hz LiDAR 105 ms late is always fresh at one phase and always stale at another), and real
  // clocks drift through every phase: run several phase offsets, spread evenly, and aggregate.
  const offsets = new Map([...new Set(pipeline.inputs.map((i) => i.sourceId))].map((id) => [id, rand()]));
  for (let k = 0; k < phases; k++) runs.push(simulateOnce(pipeline, sources, duration, rand, (id) => ((k + (offsets.get(id) ?? 0)) / phases) % 1));
  const first = runs[0] as Raw;
  const inputs: PlanPrediction['inputs'] = {};
  for (const input of pipeline.inputs) {
    const per = runs.map((r) => r.inputs[input.modality] as Raw['inputs'][string]);
    const mean = (f: (x: Raw['inputs'][string]) => number): number => r2(per.reduce((a, x) => a + f(x), 0) / per.length);
    const drops: Partial<DropCounts> = {};
    for (const reason of DROP_REASONS) {
      const total = per.reduce((a, x) => a + (x.drops[reason] ?? 0), 0);
      if (total > 0) drops[reason] = Math.round(total / per.length);
    }
    inputs[input.modality] = { sourceId: input.sourceId, fresh: mean((x) => x.fresh), held: mean((x) => x.held), missing: mean((x) => x.missing), drops };
  }
  const waits = runs.flatMap((r) => r.waits).sort((a, b) => a - b);
  const bufferSamples: Record<string, number> = {};
  for (const r of runs) for (const [id, n] of Object.entries(r.bufferSamples)) bufferSamples[id] = Math.max(bufferSamples[id] ?? 0, n);
  return {
    policy: first.policy,
    simulatedS: (Number(duration) / 1e9) * phases,
    outputHz: r2(runs.reduce((a, r) => a + r.outputHz, 0) / runs.length),
    sets: runs.reduce((a, r) => a + r.sets, 0),
    inputs,
    alignWaitMs: { p50: r2(waits[waits.length >> 1] ?? 0), max: r2(waits[waits.length - 1] ?? 0) },
    worstCaseAddedLatencyMs: r2(Math.max(...runs.map((r) => r.added))),
    maxDataAgeMs: r2(Math.max(...runs.map((r) => r.age))),
    bufferSamples,
    bufferBytes: Math.max(...runs.map((r) => r.bufferBytes)),
  };
}

interface Raw {
  policy: string;
  outputHz: number;
  sets: number;
  inputs: Record<string, { fresh: number; held: number; missing: number; drops: Partial<DropCounts> }>;
  waits: number[];
  added: number;
  age: number;
  bufferSamples: Record<string, number>;
  bufferBytes: number;
}

function simulateOnce(pipeline: PipelineSpec, sources: ReadonlyMap<string, PlanSource>, duration: bigint, rand: () => number, phaseOf: (id: string) => number): Raw {
  const sync = createSynchronizer({ startNs: T0, ...pipeline });
  const arrivals: { at: bigint; s: AnySample }[] = [];
  for (const id of new Set(pipeline.inputs.map((i) => i.sourceId))) {
    const src = sources.get(id);
    if (!src) throw new RangeError(`no description for source ${id}`);
    arrivals.push(...streamOf(id, src, duration, rand, phaseOf(id)));
  }
  arrivals.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const sets: { at: bigint; set: AlignedSet }[] = [];
  const firstUse = new Map<AnySample, bigint>();
  const bufferSamples: Record<string, number> = {};
  let bufferBytes = 0;
  let last = 0n;
  const poll = (now: bigint): void => {
    last = now;
    for (const set of sync.poll(now)) {
      sets.push({ at: now, set });
      for (const m of Object.values(set.members)) if (m.sample && m.state === 'fresh' && !firstUse.has(m.sample)) firstUse.set(m.sample, now);
    }
    const st = sync.stats();
    let bytes = 0;
    for (const [id, n] of Object.entries(st.queued)) {
      bufferSamples[id] = Math.max(bufferSamples[id] ?? 0, n);
      bytes += n * (sources.get(id)?.bytesPerSample ?? 0);
    }
    bufferBytes = Math.max(bufferBytes, bytes);
  };
  const drain = (until: bigint): void => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const d = sync.nextDeadline();
      if (d === undefined || d > until || d <= last) return;
      poll(d);
    }
  };
  for (const a of arrivals) {
    drain(a.at);
    sync.push(a.s);
    poll(a.at > last ? a.at : last);
  }
  // Let every deadline after the last arrival pass, so the sets of the simulated span all come out.
  drain(T0 + duration + 60_000_000_000n);

  // Warm-up: one second plus the longest window, so the rate and masks describe the steady state.
  let longest = 0n;
  for (const i of pipeline.inputs) if (i.lengthNs !== undefined && i.lengthNs > longest) longest = i.lengthNs;
  // And the last second is left out too: there the streams end, which looks like silence.
  const warmNs = 1_000_000_000n + longest;
  const endNs = duration - 1_000_000_000n;
  if (endNs - warmNs < 1_000_000_000n) throw new RangeError('the simulated duration must exceed 3 s plus the longest window');
  const warm = T0 + warmNs;
  const counted = sets.filter((x) => x.set.t >= warm && x.set.t < T0 + endNs);
  const seconds = Number(endNs - warmNs) / 1e9;
  const inputs: Raw['inputs'] = {};
  const st = sync.stats();
  for (const input of pipeline.inputs) {
    const n: Record<MemberState, number> = { fresh: 0, held: 0, missing: 0 };
    for (const { set } of counted) n[set.members[input.modality]?.state ?? 'missing']++;
    const total = Math.max(1, counted.length);
    const drops = st.drops[input.sourceId];
    inputs[input.modality] = {
      fresh: n.fresh / total,
      held: n.held / total,
      missing: n.missing / total,
      drops: Object.fromEntries(DROP_REASONS.filter((k) => (drops?.[k] ?? 0) > 0).map((k) => [k, drops?.[k] ?? 0])),
    };
  }
  const waits: number[] = [];
  let age = 0;
  for (const { at, set } of counted) {
    let newest: bigint | undefined;
    let oldest: bigint | undefined;
    for (const m of Object.values(set.members)) {
      if (!m.sample || m.state === 'missing') continue;
      if (newest === undefined || m.sample.receivedAt > newest) newest = m.sample.receivedAt;
      if (oldest === undefined || m.sample.t < oldest) oldest = m.sample.t;
    }
    if (newest !== undefined) waits.push(Number(at - newest) / 1e6);
    if (oldest !== undefined) age = Math.max(age, Number(at - oldest) / 1e6);
  }
  let added = 0;
  for (const [s, at] of firstUse) if (s.t >= warm && s.t < T0 + endNs) added = Math.max(added, Number(at - s.receivedAt) / 1e6);
  return { policy: sync.policy, outputHz: counted.length / seconds, sets: counted.length, inputs, waits, added, age, bufferSamples, bufferBytes };
}

function streamOf(id: string, src: PlanSource, duration: bigint, rand: () => number, phaseFraction: number): { at: bigint; s: AnySample }[] {
  const periodNs = 1e9 / src.nominalHz;
  const latency = Number(src.latencyNs ?? 0n);
  const jitter = Number(src.jitterNs ?? BigInt(Math.round(periodNs / 10)));
  const phase = phaseFraction * periodNs;
  const out: { at: bigint; s: AnySample }[] = [];
  let prev = 0n;
  for (let k = 0; ; k++) {
    const t = T0 + BigInt(Math.round(phase + k * periodNs));
    if (t >= T0 + duration) break;
    let s: AnySample;
    if (src.kind === 'eeg') {
      const n = src.samplesPerChunk ?? 10;
      const rate = src.rateHz ?? src.nominalHz * n;
      const channels = src.channels ?? 1;
      const tEnd = t + BigInt(Math.round(((n - 1) * 1e9) / rate));
      s = { kind: 'eeg', sourceId: id, seq: k, t, tEnd, receivedAt: 0n, payload: { rateHz: rate, channels, data: new Float32Array(channels * n), firstSampleIndex: k * n } };
    } else {
      s = { kind: 'image', sourceId: id, seq: k, t, receivedAt: 0n, payload: { width: 1, height: 1, format: 'gray8', data: new Uint8Array(1) } };
    }
    let at = (s.tEnd ?? s.t) + BigInt(Math.round(latency + rand() * jitter));
    if (at < prev) at = prev; // a link delays, it does not reorder
    prev = at;
    s.receivedAt = at;
    out.push({ at, s });
  }
  return out;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

