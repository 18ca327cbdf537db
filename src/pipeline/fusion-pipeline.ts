import { performance } from 'node:perf_hooks';
import { createSynchronizer, type InputSpec } from '../align/create.ts';
import { DROP_REASONS, type Synchronizer } from '../align/synchronizer.ts';
import type { AlignedSet, MemberState } from '../align/types.ts';
import type { WiredInput, WiredPipeline } from '../config/wiring.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { BufferPool } from '../core/buffer-pool.ts';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import type { Clock, Timer, TimestampNs } from '../core/time.ts';
import { InferenceClient, type FusionOutput, type ModelInfo } from '../inference/inference-client.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import type { Metrics } from './metrics.ts';
import { buildResult } from './result.ts';
import type { SourceRunner } from './source-runner.ts';

/** Receives every result (MQTT, console, JSONL, tests). `publishMs` is measured around these calls. */
export type ResultSink = (result: ResultPayload) => void;

export interface FusionPipelineOptions {
  wired: WiredPipeline;
  device: string;
  runners: ReadonlyMap<string, SourceRunner>;
  clock: Clock;
  log: Logger;
  metrics?: Metrics;
  preprocessModule: string;
  intraOpThreads: number;
  /** Niceness of the inference worker thread (see `inference.nice`). */
  nice?: number;
  /** Preprocessing helper threads of the inference worker (see `inference.preprocessThreads`). */
  preprocessThreads?: number;
  /** CPU pinning of the worker and its helpers (see `inference.cpus`). */
  affinity?: { cpus: readonly number[]; helperCpus?: readonly number[] };
  sinks: ResultSink[];
  /** Omit wall-clock stage times from results (deterministic replay). */
  omitStageTimes?: boolean;
  /** Samples each source buffer holds (trigger-driven policies), from buffer-sizing.ts. */
  bufferCapacity?: (sourceId: string) => number | undefined;
  /** First result seq (continues after a restart when the spool remembers the last one). */
  startSeq?: number;
  /** Never drop a set for a newer one (deterministic replay); see InferenceClientOptions.lossless. */
  lossless?: boolean;
  /** Frame buffers come back here: from the worker after inference, and when never used. */
  pool?: BufferPool;
  /**
   * Sources this pipeline alone reads: their frames move to the worker (transfer) and are recycled.
   * Frames of shared sources are copied for the worker and left alone.
   */
  exclusiveSources?: ReadonlySet<string>;
}

interface JobContext {
  set: AlignedSet;
  startedAt: number;
  alignMs: number;
}

function inputSpec(i: WiredInput): InputSpec {
  const base = { modality: i.modality, sourceId: i.sourceId, policy: i.policy };
  switch (i.policy) {
    case 'latest':
      return { ...base, maxAgeNs: i.maxAgeNs };
    case 'window':
      return { ...base, maxAgeNs: i.maxAgeNs, lengthNs: i.lengthNs, samples: i.samples };
    default:
      return { ...base, deadlineNs: i.deadlineNs, ...(i.minPeriodNs !== undefined ? { minPeriodNs: i.minPeriodNs } : {}), ...(i.maxLatencyNs !== undefined ? { maxLatencyNs: i.maxLatencyNs } : {}) };
  }
}

/**
 * One fusion pipeline: samples → synchronizer (latest/window at trigger instants, or exact /
 * approximate matching; never stalls on a silent source — the mask says what is real) → inference
 * worker (one in flight, keep newest) → result with lineage → sinks.
 */
export class FusionPipeline {
  readonly name: string;
  readonly #o: FusionPipelineOptions;
  readonly #sync: Synchronizer;
  #client: InferenceClient;
  readonly #log: Logger;
  #timer: Timer | undefined;
  #timerAt: TimestampNs | undefined;
  #info: ModelInfo | undefined;
  #seq: number;
  #results = 0;
  #skipped = 0;
  #lastMask: Record<string, MemberState> = {};
  #lastLost = new Map<string, number>();
  #started = false;
  #latencies: number[] = [];
  #stopped = false;

  constructor(o: FusionPipelineOptions) {
    this.#o = o;
    this.name = o.wired.name;
    this.#log = o.log.child({ pipeline: o.wired.name });
    this.#seq = o.startSeq ?? 0;
    const trig = o.wired.trigger;
    this.#sync = createSynchronizer({
      inputs: o.wired.inputs.map(inputSpec),
      // Fixed-rate instants on the grid of the host timeline (phase 0): deterministic, not start-dependent.
      ...(trig === undefined ? {} : 'everyNs' in trig ? { trigger: { everyNs: trig.everyNs, phaseNs: 0n } } : { trigger: { on: trig.on } }),
      ...(o.wired.maxIntervalNs !== undefined ? { maxIntervalNs: o.wired.maxIntervalNs } : {}),
      ...(o.wired.agePenalty !== undefined ? { agePenalty: o.wired.agePenalty } : {}),
      ...(o.bufferCapacity ? { bufferCapacity: (id: string) => o.bufferCapacity?.(id) ?? 16 } : {}),
      // A frame no set ever used is still ours alone: back to the pool (a used one may be waiting
      // in a job; it comes back from the worker instead).
      ...(o.pool
        ? {
            onEvict: (s: AnySample, used: boolean) => {
              if (!used && this.#exclusive(s.sourceId)) for (const b of payloadBuffers(s)) o.pool?.release(b);
            },
          }
        : {}),
      startNs: o.clock.now(),
    });
    this.#client = this.#newClient();
  }

  #newClient(): InferenceClient {
    const o = this.#o;
    return new InferenceClient({
      modelDir: o.wired.modelDir,
      head: o.wired.head,
      precision: o.wired.precision,
      intraOpThreads: o.intraOpThreads,
      ...(o.nice !== undefined ? { nice: o.nice } : {}),
      ...(o.preprocessThreads ? { preprocessThreads: o.preprocessThreads } : {}),
      ...(o.affinity ? { cpus: o.affinity.cpus, ...(o.affinity.helperCpus ? { helperCpus: o.affinity.helperCpus } : {}) } : {}),
      preprocessModule: o.preprocessModule,
      ...(o.lossless ? { lossless: true } : {}),
      log: this.#log,
      onOutput: (out) => this.#onOutput(out as FusionOutput<JobContext>),
      onReturned: (buffers) => {
        for (const b of buffers) this.#o.pool?.release(b);
      },
      onError: (err) => {
        this.#o.metrics?.inferenceErrors.inc({ pipeline: this.name });
        this.#log.error({ err: describeError(err) }, 'fusion failed');
      },
    });
  }

  /**
   * Loads the model set again from disk in a fresh worker (hashes re-checked) and switches to it;
   * the old worker finishes its fusion in flight and exits. Fresh workers also sidestep ORT's
   * session-release memory growth (onnxruntime #25325). Rejects (old models keep running) on a bad set.
   */
  async reload(): Promise<ModelInfo> {
    const next = this.#newClient();
    const info = await next.start();
    const old = this.#client;
    this.#client = next;
    this.#info = info;
    await old.close();
    this.#log.info({ model: info.name, version: info.version }, 'models reloaded');
    return info;
  }

  /** Loads the models in the worker. Rejects with ModelError on bad models (before devices open). */
  async load(): Promise<ModelInfo> {
    this.#info ??= await this.#client.start();
    return this.#info;
  }

  /** Starts feeding samples to the synchronizer (loading the models first if needed). */
  async start(): Promise<ModelInfo> {
    await this.load();
    if (!this.#started) {
      this.#started = true;
      for (const sourceId of new Set(this.#o.wired.inputs.map((i) => i.sourceId))) {
        this.#o.runners.get(sourceId)?.onSample((s: AnySample) => {
          if (this.#stopped) return;
          this.#sync.push(s);
          this.#poll();
        });
      }
      this.#poll();
    }
    return this.#info as ModelInfo;
  }

  /** Cumulative synchronizer counters (for /metrics and health). */
  syncStats(): ReturnType<Synchronizer['stats']> {
    return this.#sync.stats();
  }

  /** Emits every set that is ready at the clock's now, and re-arms the deadline timer. */
  #poll(): void {
    if (this.#stopped) return;
    const clock = this.#o.clock;
    const startedAt = performance.now();
    const sets = this.#sync.poll(clock.now());
    const alignMs = performance.now() - startedAt;
    for (const set of sets) this.#submit(set, startedAt, alignMs / sets.length);
    const next = this.#sync.nextDeadline();
    if (next !== this.#timerAt) {
      this.#timer?.cancel();
      this.#timerAt = next;
      this.#timer = next === undefined ? undefined : clock.at(next, () => {
        this.#timerAt = undefined;
        this.#timer = undefined;
        this.#poll();
      });
    }
  }

  get info(): ModelInfo | undefined {
    return this.#info;
  }

  get results(): number {
    return this.#results;
  }

  /** Sets not fused because fewer than `minInputs` inputs were present. */
  get skippedSets(): number {
    return this.#skipped;
  }

  get inferenceDrops(): number {
    return this.#client.droppedTotal;
  }

  /** Fusions in the inference client: 0 idle, 1 running, 2 running + one waiting. */
  get queued(): number {
    return this.#client.queued;
  }

  get lastMask(): Record<string, MemberState> {
    return this.#lastMask;
  }

  /** p50/p99 of trigger-to-publish latency over the recent results (ms). */
  latencyMs(): { p50: number | null; p99: number | null } {
    const xs = [...this.#latencies].sort((a, b) => a - b);
    if (xs.length === 0) return { p50: null, p99: null };
    const q = (p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
    return { p50: Math.round(q(0.5) * 1000) / 1000, p99: Math.round(q(0.99) * 1000) / 1000 };
  }

  #exclusive(sourceId: string): boolean {
    return this.#o.exclusiveSources?.has(sourceId) ?? true;
  }

  #submit(set: AlignedSet, startedAt: number, alignMs: number): void {
    const present = Object.values(set.members).filter((m) => m && m.sample && m.state !== 'missing').length;
    if (present < this.#o.wired.minInputs) {
      // Nothing (or too little) to see: a classification of zeros would mislead. Counted, and the
      // set's source drops still go into the next result.
      this.#collectDrops(set);
      this.#skipped++;
      this.#lastMask = set.mask;
      this.#o.metrics?.setsSkipped.inc({ pipeline: this.name });
      return;
    }
    const inputs: Partial<Record<Modality, AnySample>> = {};
    const copy = new Set<Modality>();
    for (const [mod, m] of Object.entries(set.members) as [Modality, NonNullable<AlignedSet['members'][Modality]>][]) {
      if (m.sample && m.state !== 'missing') {
        inputs[mod] = m.sample;
        if (!this.#exclusive(m.sample.sourceId)) copy.add(mod);
      }
      if (m.gaps) this.#o.metrics?.windowGaps.inc({ pipeline: this.name, modality: mod }, m.gaps);
    }
    this.#collectDrops(set);
    this.#client.submit({ inputs, context: { set, startedAt, alignMs } satisfies JobContext, ...(copy.size ? { copy } : {}) });
  }

  /** Resolves when no fusion is running or waiting. */
  idle(): Promise<void> {
    return this.#client.idle();
  }

  /**
   * Drops per source since the previous result: the synchronizer's (per set, by reason) plus what
   * the device or transport lost. Sets dropped by keep-newest carried drops too; they are
   * accumulated so no count is lost with the set.
   */
  #pendingDrops = new Map<string, Record<string, number>>();

  #collectDrops(set: AlignedSet): void {
    for (const [sourceId, counts] of Object.entries(set.drops ?? {})) {
      const acc = this.#pendingDrops.get(sourceId) ?? {};
      for (const r of DROP_REASONS) if (counts[r]) acc[r] = (acc[r] ?? 0) + counts[r];
      this.#pendingDrops.set(sourceId, acc);
      for (const r of DROP_REASONS) if (counts[r]) this.#o.metrics?.sourceDropped.inc({ source: sourceId, reason: r }, counts[r]);
    }
  }

  #drops(): ResultPayload['lineage']['drops']['sources'] {
    const out: ResultPayload['lineage']['drops']['sources'] = {};
    for (const sourceId of new Set(this.#o.wired.inputs.map((i) => i.sourceId))) {
      const lostNow = this.#o.runners.get(sourceId)?.lost() ?? 0;
      const lost = lostNow - (this.#lastLost.get(sourceId) ?? 0);
      this.#lastLost.set(sourceId, lostNow);
      const acc = this.#pendingDrops.get(sourceId) ?? {};
      out[sourceId] = { lost, ...acc };
    }
    this.#pendingDrops.clear();
    return out;
  }

  #onOutput(out: FusionOutput<JobContext>): void {
    const info = this.#info;
    if (!info) return;
    const { set, startedAt, alignMs } = out.context;
    const m = this.#o.metrics;
    if (this.#o.pool) for (const b of out.returned) this.#o.pool.release(b);
    if (out.droppedBefore > 0) m?.inferenceDropped.inc({ pipeline: this.name }, out.droppedBefore);
    const seq = this.#seq++;
    const beforePublish = performance.now();
    const stage = { ...out.stageMs, align: alignMs, publish: 0, total: beforePublish - startedAt };
    const result = buildResult({
      seq,
      device: this.#o.device,
      pipeline: this.name,
      set,
      probs: out.probs,
      used: out.mask,
      model: info,
      ...(this.#o.omitStageTimes ? {} : { stageMs: stage }),
      drops: { inference: out.droppedBefore, sources: this.#drops() },
    });
    for (const sink of this.#o.sinks) {
      try {
        sink(result);
      } catch (err) {
        this.#log.error({ err: describeError(err) }, 'result sink failed');
      }
    }
    const publishMs = performance.now() - beforePublish;
    const total = stage.total + publishMs;
    if (result.lineage.stageMs) {
      result.lineage.stageMs.publish = Math.round(publishMs * 1000) / 1000;
      result.lineage.stageMs.total = Math.round(total * 1000) / 1000;
    }
    this.#results++;
    this.#lastMask = result.mask;
    this.#latencies.push(total);
    if (this.#latencies.length > 512) this.#latencies.shift();
    if (m) {
      const p = this.name;
      m.results.inc({ pipeline: p });
      m.stageSeconds.observe({ pipeline: p, stage: 'align' }, alignMs / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'handoff' }, out.stageMs.handoff / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'queue' }, out.stageMs.queue / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'preprocess' }, out.stageMs.preprocess / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'encode' }, out.stageMs.encode / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'fuse' }, out.stageMs.fuse / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'publish' }, publishMs / 1e3);
      m.stageSeconds.observe({ pipeline: p, stage: 'total' }, total / 1e3);
      for (const [mod, st] of Object.entries(result.mask)) m.maskStates.inc({ pipeline: p, modality: mod, state: st });
    }
  }

  /** Stops triggering, finishes the fusion in flight (bounded), stops the worker. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#client.close(timeoutMs);
  }
}
