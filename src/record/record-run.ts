import { relative } from 'node:path';
import type { Config } from '../config/schema.ts';
import { wire } from '../config/wiring.ts';
import { SystemClock } from '../core/clocks.ts';
import { describeError } from '../core/errors.ts';
import { isReplayDriver, type GroundTruth } from '../core/log-reader.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/registry.ts';
import type { AnySample } from '../core/sample.ts';
import type { Clock, TimestampNs } from '../core/time.ts';
import { Runtime } from '../pipeline/runtime.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import { runLockstep } from './lockstep.ts';
import { Recorder, type RecorderLike, type RecorderOptions, type RecorderStats } from './recorder.ts';
import { ThreadedRecorder } from './threaded-recorder.ts';
import { SteppingClock } from './stepping-clock.ts';

export interface RecordRunOptions {
  config: Config;
  /** Directory the config's relative paths mean, and the config file's text (kept in the log). */
  dir: string;
  configText: string;
  registry: Registry;
  out: string;
  /** Stop after this long (virtual mode: required). */
  durationNs?: bigint;
  /**
   * Run on a virtual clock from this instant, as fast as the pipeline goes (lock-step, see
   * lockstep.ts) — for simulator sources: the log is then a pure function of config and start.
   */
  virtualStartNs?: TimestampNs;
  recorder?: Pick<RecorderOptions, 'compression' | 'zstdLevel' | 'chunkSize' | 'rotate' | 'downsample'>;
  /**
   * Encode and write in a worker thread (threaded-recorder.ts). Default: on a real clock, where the
   * pipeline's thread must stay responsive; off on a virtual clock, where nothing is late anyway.
   * The file is the same either way.
   */
  threaded?: boolean;
  mqttUrl?: string;
  logger: Logger;
  onResult?: (r: ResultPayload) => void;
  /** Sees every sample as the recorder does (before a pipeline can move its buffers). */
  onSample?: (s: AnySample) => void;
  /** Live mode: resolves when the recording should stop (signals); virtual mode: checked per instant. */
  stop?: Promise<void>;
  stopped?: () => boolean;
}

export interface RecordRunResult extends RecorderStats {
  startNs: TimestampNs;
  endNs: TimestampNs;
  groundTruth?: string;
}

/**
 * `sensorium record`: the pipelines of a config running as `run` does, with a recorder tapping
 * every source and every result. The taps are attached before `start()`: pipelines register
 * theirs in `start()`, and a pipeline may transfer a payload to its worker inside its tap.
 */
export async function recordRun(o: RecordRunOptions): Promise<RecordRunResult> {
  const virtual = o.virtualStartNs !== undefined;
  const clock: Clock = virtual ? new SteppingClock(o.virtualStartNs as bigint) : new SystemClock();
  let config = o.config;
  if (virtual && !o.mqttUrl) {
    // A virtual-time run publishes nothing unless asked (an embedded broker would bind a real port).
    const { mqtt: _m, ...outputs } = config.outputs;
    config = { ...config, outputs, metrics: { ...config.metrics, enabled: false } };
  }
  const wiring = await wire(config, o.registry, o.dir);
  const truth = groundTruthOf(o.config, o.registry, o.logger);
  const recorderOptions: Omit<RecorderOptions, 'startNs'> = {
    path: o.out,
    clock,
    software: `sensorium ${o.registry.version}`,
    ...o.recorder,
    config: { yaml: o.configText, dir: relative(process.cwd(), o.dir).split('\\').join('/') || '.' },
    sources: [...wiring.sources.values()].map((s) => ({ id: s.id, description: s.description })),
    pipelines: wiring.pipelines.map((p) => p.name),
    ...(truth ? { groundTruth: truth } : {}),
    meta: { clock: virtual ? 'virtual (lock-step)' : 'system' },
  };
  // The log starts when the pipelines do (replay starts its virtual clock there), not before the
  // models load: the recorder is created after `start()`. Its taps go on before `start()`, because
  // pipelines add theirs in `start()` and may transfer a payload to their worker inside it; the few
  // samples delivered while `start()` finishes are held (copied) until the recorder exists.
  let recorder: RecorderLike | undefined;
  const early: AnySample[] = [];
  const runtime = new Runtime({
    wiring,
    registry: o.registry,
    clock,
    log: o.logger,
    sinks: [(r) => recorder?.result(r), ...(o.onResult ? [o.onResult] : [])],
    ...(virtual ? { omitStageTimes: true, lossless: true } : {}),
    ...(o.mqttUrl ? { mqttUrl: o.mqttUrl } : {}),
  });
  for (const r of runtime.runners.values()) {
    r.onSample((s) => {
      o.onSample?.(s);
      if (recorder) recorder.sample(s);
      else early.push(structuredClone(s));
    });
  }
  let endAt: TimestampNs | undefined;
  let stoppedAt: TimestampNs | undefined;
  try {
    await runtime.start();
    const startNs = early.reduce((a, s) => (s.receivedAt < a ? s.receivedAt : a), clock.now());
    recorder = (o.threaded ?? !virtual) ? new ThreadedRecorder({ ...recorderOptions, startNs }) : new Recorder({ ...recorderOptions, startNs });
    for (const s of early.splice(0)) recorder.sample(s);
    endAt = o.durationNs !== undefined ? clock.now() + o.durationNs : undefined;
    if (clock instanceof SteppingClock) {
      if (endAt === undefined) throw new RangeError('a virtual-clock recording needs a duration');
      await runLockstep({ clock, endNs: endAt, settle: () => runtime.idle(), ...(o.stopped ? { stopped: o.stopped } : {}) });
    } else {
      const waits: Promise<void>[] = [];
      if (o.stop) waits.push(o.stop);
      if (endAt !== undefined) waits.push(new Promise((resolve) => setTimeout(resolve, Number(((endAt as bigint) - clock.now()) / 1_000_000n))));
      await Promise.race(waits.length ? waits : [new Promise<void>(() => {})]);
    }
    stoppedAt = clock.now();
  } finally {
    await runtime.stop(10_000).catch((err: unknown) => o.logger.warn({ err: describeError(err) }, 'shutdown incomplete'));
  }
  if (!recorder) throw new Error('unreachable: the recorder starts with the runtime');
  const startNs = recorder.startNs;
  const stats = await recorder.close();
  return { ...stats, startNs, endNs: stoppedAt ?? clock.now(), ...(truth ? { groundTruth: truth.key } : {}) };
}

/** The simulator's label timeline when the sources come from it (one truth per log). */
function groundTruthOf(config: Config, registry: Registry, log: Logger): GroundTruth | undefined {
  const replay = registry.drivers.get('replay');
  if (!isReplayDriver(replay)) return undefined;
  const found = new Map<string, GroundTruth>();
  for (const raw of Object.values(config.sources)) {
    const { driver, ...rest } = raw;
    const gt = replay.groundTruthFor(driver, rest);
    if (gt && !found.has(gt.key)) found.set(gt.key, gt);
  }
  const [first, ...others] = found.values();
  if (others.length) log.warn({ recorded: first?.key, ignored: others.map((g) => g.key) }, 'sources disagree on ground truth; recording the first');
  return first;
}
