import { ClockSync, type ClockEvent, type ClockSyncOptions } from '../clock-sync/clock-sync.ts';
import { SampleCounter } from '../clock-sync/sample-counter.ts';
import { fitSegment } from './offline-dejitter.ts';
import type { TimingStream } from './types.ts';

/** The per-source summary `sensorium timing` prints (its last line is these, as JSON). */
export interface TimingReport {
  nominalHz: number;
  /** Samples per second of host time, from the fitted clock line (null without host times). */
  effectiveHz: number | null;
  /** Device clock rate relative to the host, ppm (> 0: the device runs fast). */
  driftPpm: number | null;
  /**
   * Jitter: |stamp − fitted clock line|, where the line is the lower envelope of the arrivals of a
   * segment (between resets) — so raw jitter is the transport delay above the fastest delivery,
   * and dejittered jitter is how far the dejittered timeline strays from one straight line.
   */
  rawJitterP50Ms: number | null;
  rawJitterP99Ms: number | null;
  dejitteredJitterP50Ms: number | null;
  dejitteredJitterP99Ms: number | null;
  /** Places where samples were lost, and how many. */
  gaps: number;
  droppedSamples: number;
  /** Clock discontinuities: device resets and offset jumps (host clock steps). */
  resets: number;
  samples: number;
  durationS: number | null;
}

export interface TimingAnalysis {
  sourceId: string;
  report: TimingReport;
  events: ClockEvent[];
  /** Per sample: sample number since the start (gaps skip numbers). */
  index: Float64Array;
  /** Per sample, when the recording has host times: as recorded, and dejittered (offline fit). */
  rawNs?: BigInt64Array;
  dejitteredNs?: BigInt64Array;
  /** The same, from the online ClockSync the runtime uses (causal: start-up and detection delays included). */
  onlineNs?: BigInt64Array;
}

export interface AnalyzeOptions {
  sync?: ClockSyncOptions;
  /** See SampleCounter (default 250 ms). */
  maxJitterNs?: number;
}

/**
 * Timing analysis of one recorded source: sample numbers from its counter or device clock (gaps,
 * drops, wraps), an online {@link ClockSync} pass to find resets and jumps as the runtime would,
 * then an offline fit per segment for the clock line, the drift and dejittered stamps.
 */
export function analyzeTiming(stream: TimingStream, options: AnalyzeOptions = {}): TimingAnalysis {
  const period = 1e9 / stream.nominalHz;
  const arrivals = stream.arrivalNs;
  const count = arrivals?.length ?? stream.counter?.values.length ?? stream.deviceNs?.length ?? 0;
  const index = new Float64Array(count);
  const device = new Float64Array(count);
  const discontinuity = new Uint8Array(count);
  let gaps = 0;
  let dropped = 0;
  if (stream.counter) {
    const counter = new SampleCounter({ bits: stream.counter.bits, nominalHz: stream.nominalHz, ...(options.maxJitterNs !== undefined ? { maxJitterNs: options.maxJitterNs } : {}) });
    for (let i = 0; i < count; i++) {
      const step = counter.next(stream.counter.values[i] as number, arrivals?.[i]);
      index[i] = step.n;
      device[i] = step.n * period;
      if (step.reset) discontinuity[i] = 1;
    }
    const st = counter.stats();
    gaps = st.gaps;
    dropped = st.dropped;
  } else if (stream.deviceNs) {
    const d0 = stream.deviceNs[0] ?? 0;
    for (let i = 0; i < count; i++) {
      const d = stream.deviceNs[i] as number;
      device[i] = d;
      index[i] = Math.round((d - d0) / period);
      const prev = stream.deviceNs[i - 1];
      if (prev !== undefined && d - prev > 1.5 * period) {
        gaps++;
        dropped += Math.round((d - prev) / period) - 1;
      }
    }
  } else {
    for (let i = 0; i < count; i++) {
      index[i] = i;
      device[i] = i * period;
    }
  }
  const report: TimingReport = {
    nominalHz: stream.nominalHz,
    effectiveHz: null,
    driftPpm: null,
    rawJitterP50Ms: null,
    rawJitterP99Ms: null,
    dejitteredJitterP50Ms: null,
    dejitteredJitterP99Ms: null,
    gaps,
    droppedSamples: dropped,
    resets: 0,
    samples: count,
    durationS: count > 1 ? ((index[count - 1] as number) - (index[0] as number)) / stream.nominalHz : null,
  };
  if (!arrivals || count < 2) return { sourceId: stream.sourceId, report, events: [], index };

  // Online pass: where are the discontinuities (as the runtime would see them)?
  const sync = new ClockSync(options.sync);
  const onlineNs = new BigInt64Array(count);
  for (let i = 0; i < count; i++) onlineNs[i] = sync.observe(device[i] as number, arrivals[i] as bigint, { discontinuity: discontinuity[i] === 1 }).t;
  const events = [...sync.events];
  report.resets = events.length;

  // Offline pass per segment.
  const starts = [0, ...events.map((e) => e.index).filter((k) => k > 0 && k < count), count];
  const rawNs = BigInt64Array.from({ length: count }, (_, i) => arrivals[i] as bigint);
  const dejitteredNs = new BigInt64Array(count);
  const rawRes: number[] = [];
  const dejRes: number[] = [];
  let samplesSpan = 0;
  let hostSpan = 0;
  const windowNs = options.sync?.windowNs ?? 30e9;
  const bucketNs = options.sync?.bucketNs ?? 100e6;
  const maxSlope = (options.sync?.maxDriftPpm ?? 5000) * 1e-6;
  for (let s = 0; s + 1 < starts.length; s++) {
    const from = starts[s] as number;
    const to = starts[s + 1] as number;
    if (to <= from) continue;
    const h0 = arrivals[from] as bigint;
    const x0 = device[from] as number;
    const xs = new Float64Array(to - from);
    const ys = new Float64Array(to - from);
    for (let i = from; i < to; i++) {
      xs[i - from] = (device[i] as number) - x0;
      ys[i - from] = Number((arrivals[i] as bigint) - h0) - (xs[i - from] as number);
    }
    const fit = fitSegment(xs, ys, { bucketNs, windowNs, blockNs: 1e9, maxSlope });
    const latency = options.sync?.latencyNs ?? 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k] as number;
      const ref = fit.line.a + fit.line.b * x;
      rawRes.push(Math.abs((ys[k] as number) - ref));
      dejRes.push(Math.abs((fit.dejittered[k] as number) - ref));
      dejitteredNs[from + k] = h0 + BigInt(Math.round(x + (fit.dejittered[k] as number) - latency));
    }
    const dn = (index[to - 1] as number) - (index[from] as number);
    samplesSpan += dn;
    hostSpan += dn * period * (1 + fit.line.b);
  }
  if (hostSpan > 0) {
    report.effectiveHz = (samplesSpan / hostSpan) * 1e9;
    report.driftPpm = (report.effectiveHz / stream.nominalHz - 1) * 1e6;
  }
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  report.rawJitterP50Ms = ms(quantile(rawRes, 0.5));
  report.rawJitterP99Ms = ms(quantile(rawRes, 0.99));
  report.dejitteredJitterP50Ms = ms(quantile(dejRes, 0.5));
  report.dejitteredJitterP99Ms = ms(quantile(dejRes, 0.99));
  return { sourceId: stream.sourceId, report, events, index, rawNs, dejitteredNs, onlineNs };
}

/** q-quantile (nearest rank) of the values; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}
