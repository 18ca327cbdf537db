import { performance } from 'node:perf_hooks';
import { Aligner, type AlignerInput } from '../align/aligner.ts';
import { LatestPolicy } from '../align/policies/latest.ts';
import { WindowPolicy } from '../align/policies/window.ts';
import type { AlignedSet, MemberState } from '../align/types.ts';
import type { WiredInput, WiredPipeline } from '../config/wiring.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { AnySample, Modality } from '../core/sample.ts';
import { every, type Clock, type Timer, type TimestampNs } from '../core/time.ts';
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
  sinks: ResultSink[];
  /** Omit wall-clock stage times from results (deterministic replay). */
  omitStageTimes?: boolean;
}

interface JobContext {
  set: AlignedSet;
  startedAt: number;
  alignMs: number;
}

function policyFor(input: WiredInput): AlignerInput {
  const policy =
    input.policy === 'latest'
      ? new LatestPolicy({ maxAgeNs: input.maxAgeNs })
      : new WindowPolicy({ lengthNs: input.lengthNs, samples: input.samples, maxAgeNs: input.maxAgeNs });
  return { modality: input.modality, sourceId: input.sourceId, policy };
}

/**
 * One fusion pipeline: trigger → align (never waits; mask says what is real) → inference worker
 * (one in flight, keep newest) → result with lineage → sinks.
 */
export class FusionPipeline {
  readonly name: string;
  readonly #o: FusionPipelineOptions;
  readonly #aligner: Aligner;
  readonly #client: InferenceClient;
  readonly #log: Logger;
  #timer: Timer | undefined;
  #info: ModelInfo | undefined;
  #seq = 0;
  #results = 0;
  #lastMask: Record<string, MemberState> = {};
  #lastTotals = new Map<string, { unused: number; lost: number }>();
  #latencies: number[] = [];
  #stopped = false;

  constructor(o: FusionPipelineOptions) {
    this.#o = o;
    this.name = o.wired.name;
    this.#log = o.log.child({ pipeline: o.wired.name });
    const buffers = new Map([...o.runners].map(([id, r]) => [id, r.buffer]));
    this.#aligner = new Aligner(o.wired.inputs.map(policyFor), buffers);
    this.#client = new InferenceClient({
      modelDir: o.wired.modelDir,
      head: o.wired.head,
      precision: o.wired.precision,
      intraOpThreads: o.intraOpThreads,
      preprocessModule: o.preprocessModule,
      log: this.#log,
      onOutput: (out) => this.#onOutput(out as FusionOutput<JobContext>),
      onError: (err) => {
        this.#o.metrics?.inferenceErrors.inc({ pipeline: this.name });
        this.#log.error({ err: describeError(err) }, 'fusion failed');
      },
    });
  }

  /** Loads the models in the worker. Rejects with ModelError on bad models (before devices open). */
  async load(): Promise<ModelInfo> {
    this.#info ??= await this.#client.start();
    return this.#info;
  }

  /** Starts the trigger (loading the models first if needed). */
  async start(): Promise<ModelInfo> {
    await this.load();
    const trig = this.#o.wired.trigger;
    const clock = this.#o.clock;
    if ('everyNs' in trig) {
      // Ticks on the period grid of the host timeline: deterministic instants, not start-dependent.
      const now = clock.now();
      const start = (now / trig.everyNs + 1n) * trig.everyNs;
      this.#timer = every(clock, start, trig.everyNs, (t) => this.trigger(t));
    } else {
      const runner = this.#o.runners.get(trig.on);
      runner?.onSample((s: AnySample) => this.trigger(s.t));
    }
    return this.#info as ModelInfo;
  }

  get info(): ModelInfo | undefined {
    return this.#info;
  }

  get results(): number {
    return this.#results;
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

  /** Aligns at `t` and hands the set to inference. Public for tests and replay drivers. */
  trigger(t: TimestampNs): void {
    if (this.#stopped) return;
    const startedAt = performance.now();
    const set = this.#aligner.align(t);
    const alignMs = performance.now() - startedAt;
    const inputs: Partial<Record<Modality, AnySample>> = {};
    for (const [mod, m] of Object.entries(set.members) as [Modality, NonNullable<AlignedSet['members'][Modality]>][]) {
      if (m.sample && m.state !== 'missing') inputs[mod] = m.sample;
      if (m.gaps) this.#o.metrics?.windowGaps.inc({ pipeline: this.name, modality: mod }, m.gaps);
    }
    this.#client.submit({ inputs, context: { set, startedAt, alignMs } satisfies JobContext });
  }

  /** Resolves when no fusion is running or waiting. */
  idle(): Promise<void> {
    return this.#client.idle();
  }

  #drops(): ResultPayload['lineage']['drops']['sources'] {
    const out: ResultPayload['lineage']['drops']['sources'] = {};
    for (const input of this.#o.wired.inputs) {
      const r = this.#o.runners.get(input.sourceId);
      if (!r) continue;
      const now = { unused: r.buffer.stats().evictedUnused, lost: r.lost() };
      const prev = this.#lastTotals.get(input.sourceId) ?? { unused: 0, lost: 0 };
      out[input.sourceId] = { unused: now.unused - prev.unused, lost: now.lost - prev.lost };
      this.#lastTotals.set(input.sourceId, now);
    }
    return out;
  }

  #onOutput(out: FusionOutput<JobContext>): void {
    const info = this.#info;
    if (!info) return;
    const { set, startedAt, alignMs } = out.context;
    const m = this.#o.metrics;
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
