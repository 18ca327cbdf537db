import type { SourceDescription } from '../core/device.ts';
import { RecordingError, describeError } from '../core/errors.ts';
import type { GroundTruth } from '../core/log-reader.ts';
import type { AnySample } from '../core/sample.ts';
import { nsToIso, type Clock, type TimestampNs } from '../core/time.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import { downsampleSample } from './downsample.ts';
import type { Compression } from './mcap/compression.ts';
import { encodeSample } from './mcap/encode-sample.ts';
import { McapLogWriter, type ChannelSpec } from './mcap/log-writer.ts';
import { GROUND_TRUTH_TOPIC, LOG_FORMAT, LOG_METADATA, META, RESULTS_TOPIC_PREFIX, SCHEMA, sensorTopic } from './mcap/schemas.ts';
import { ensureDir, segmentPath } from './segment-path.ts';

export interface RecorderOptions {
  /** Output file; `{date}` becomes the start time. With rotation, segments get `.000`, `.001`… */
  path: string;
  clock: Clock;
  /** Start of the log (replay starts here). Default: `clock.now()` at construction. */
  startNs?: TimestampNs;
  /** Sensorium's version string, e.g. `sensorium 0.1.0`. */
  software: string;
  /** Chunk compression. Default `zstd` (level `zstdLevel`, default 1: see mcap/compression.ts). */
  compression?: Compression;
  zstdLevel?: number;
  /**
   * Uncompressed bytes per chunk. Default 4 MiB: ~4 full-resolution camera frames, so a crash loses
   * at most ~0.1 s of video, while chunks stay large enough to compress well.
   */
  chunkSize?: number;
  /** Start a new file when the current one reaches `maxBytes` or spans `everyNs`. Default: never. */
  rotate?: { maxBytes?: number; everyNs?: bigint };
  /** Area-average camera/depth frames by this integer factor (lossy). Default 1 (off). */
  downsample?: number;
  /**
   * Encoded bytes waiting for the disk before new samples are dropped (counted in `stats().dropped`).
   * Default 256 MiB: several seconds of four full-rate sensors through a slow SD card.
   */
  maxQueuedBytes?: number;
  /** The config that produced the log (YAML text) and the directory its relative paths meant. */
  config?: { yaml: string; dir?: string };
  sources: { id: string; description: SourceDescription }[];
  pipelines?: string[];
  /** Ground truth to log next to the samples (simulator sources). */
  groundTruth?: GroundTruth;
  /**
   * Key and labels of ground truth whose points come through `truth()` instead (the threaded
   * recorder evaluates `groundTruth` on the caller's thread: functions do not cross threads).
   */
  truthMeta?: { key: string; labels: readonly string[] };
  /** Extra provenance for the log's metadata record. */
  meta?: Record<string, string>;
}

export interface RecorderStats {
  files: string[];
  messages: number;
  /** Per source: samples written. */
  samples: Record<string, number>;
  results: number;
  /** Encoded message bytes (JSON) handed to the writer, and bytes in the files so far. */
  messageBytes: number;
  fileBytes: number;
  /** Samples not recorded because the disk could not keep up (or a payload was already moved). */
  dropped: number;
}

type Op = { channel: string; spec: ChannelSpec; seq: number; logTime: bigint; publishTime: bigint; data: Uint8Array; truth?: { index: number; change: boolean } };

/** What the pipeline side needs of a recorder (in-thread or in a worker: threaded-recorder.ts). */
export interface RecorderLike {
  readonly startNs: TimestampNs;
  sample(s: AnySample): void;
  readonly result: (r: ResultPayload) => void;
  stats(): RecorderStats;
  flush(): Promise<void>;
  close(): Promise<RecorderStats>;
}

/**
 * Records samples and results to MCAP. Taps call `sample()` synchronously — payload buffers may be
 * transferred to the inference worker right after the tap returns — so encoding happens here, and
 * writing happens in one ordered async queue (McapWriter calls must not overlap). Rotation closes
 * the current file with its summary and starts the next one with the same metadata and channels.
 */
export class Recorder implements RecorderLike {
  readonly #o: RecorderOptions;
  readonly #descriptions: Map<string, SourceDescription>;
  readonly #ops: Op[] = [];
  readonly #stats: RecorderStats = { files: [], messages: 0, samples: {}, results: 0, messageBytes: 0, fileBytes: 0, dropped: 0 };
  readonly #startNs: TimestampNs;
  #writer: McapLogWriter | undefined;
  #channels = new Map<string, number>();
  #specs = new Map<string, ChannelSpec>();
  #segment = 0;
  #segmentStart: bigint | undefined;
  #queued = 0;
  #draining: Promise<void> | undefined;
  #failure: unknown;
  #closed = false;
  #gtCursor: bigint;
  #gtSeq = 0;
  #truthWritten: { at: bigint; index: number; change: boolean }[] = [];

  constructor(o: RecorderOptions) {
    this.#o = o;
    this.#startNs = o.startNs ?? o.clock.now();
    this.#gtCursor = this.#startNs;
    this.#descriptions = new Map(o.sources.map((s) => [s.id, s.description]));
    const gt = o.groundTruth;
    if (gt) this.truth(this.#startNs, gt.labelAt(this.#startNs), false);
  }

  get startNs(): TimestampNs {
    return this.#startNs;
  }

  /** Records a sample (taps call this synchronously, before anything can move its buffers). */
  sample(s: AnySample): void {
    if (this.#closed) return;
    if (this.#queued > (this.#o.maxQueuedBytes ?? 256 << 20) || detached(s)) {
      this.#stats.dropped++;
      return;
    }
    this.#truthUntil(s.receivedAt);
    const logged = downsampleSample(s, this.#o.downsample ?? 1);
    const enc = encodeSample(logged);
    const spec: ChannelSpec = {
      topic: sensorTopic(s.sourceId, enc.schema),
      schema: enc.schema,
      metadata: { [META.source]: s.sourceId, [META.kind]: s.kind, ...describe(this.#descriptions.get(s.sourceId)) },
    };
    this.#enqueue({ channel: spec.topic, spec, seq: s.seq, logTime: s.receivedAt, publishTime: s.t, data: enc.data });
    this.#stats.samples[s.sourceId] = (this.#stats.samples[s.sourceId] ?? 0) + 1;
  }

  /** Records a result (Runtime sink): log time = when it was produced, publish time = its `t`. */
  readonly result = (r: ResultPayload): void => {
    if (this.#closed) return;
    const topic = `${RESULTS_TOPIC_PREFIX}${r.pipeline}`;
    const spec: ChannelSpec = { topic, schema: SCHEMA.result, metadata: { [META.pipeline]: r.pipeline } };
    const at = this.#o.clock.now();
    this.#truthUntil(at + 1n);
    this.#enqueue({ channel: topic, spec, seq: r.seq, logTime: at, publishTime: BigInt(r.t_ns), data: new TextEncoder().encode(JSON.stringify(r)) });
    this.#stats.results++;
  };

  stats(): RecorderStats {
    return { ...this.#stats, samples: { ...this.#stats.samples }, files: [...this.#stats.files], fileBytes: this.#stats.fileBytes + (this.#writer?.bytesWritten ?? 0) };
  }

  /** Resolves when everything queued so far is handed to the file (chunks are written when full). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    if (this.#failure) throw this.#failure;
  }

  /** Writes the remaining truth, closes the file with its summary; idempotent. */
  async close(): Promise<RecorderStats> {
    if (!this.#closed) {
      this.#truthUntil(this.#o.clock.now() + 1n);
      this.#closed = true;
    }
    try {
      await this.flush();
    } finally {
      const w = this.#writer;
      this.#writer = undefined;
      if (w) {
        await w.close();
        this.#stats.fileBytes += w.bytesWritten;
      }
    }
    return this.stats();
  }

  #truthUntil(t: bigint): void {
    const gt = this.#o.groundTruth;
    if (!gt || t <= this.#gtCursor) return;
    for (const c of gt.changesBetween(this.#gtCursor, t)) this.truth(c.at, c.label, true);
    this.#gtCursor = t;
  }

  /** Logs that `label` is in force from `at` (`change`: false for the state at the start). */
  truth(at: bigint, index: number, change: boolean): void {
    if (this.#closed) return;
    const op = this.#truthOp(at, index, change);
    if (op) this.#enqueue(op);
  }

  #truthOp(at: bigint, index: number, change: boolean): Op | undefined {
    const gt = this.#o.groundTruth ?? this.#o.truthMeta;
    if (!gt) return undefined;
    const spec: ChannelSpec = { topic: GROUND_TRUTH_TOPIC, schema: SCHEMA.groundTruth, metadata: {} };
    const body = { timestamp: { sec: Number(at / 1_000_000_000n), nsec: Number(at % 1_000_000_000n) }, key: gt.key, label: gt.labels[index] ?? String(index), index, labels: gt.labels, change };
    return { channel: GROUND_TRUTH_TOPIC, spec, seq: this.#gtSeq++, logTime: at, publishTime: at, data: new TextEncoder().encode(JSON.stringify(body)), truth: { index, change } };
  }

  #enqueue(op: Op): void {
    this.#ops.push(op);
    this.#queued += op.data.byteLength;
    this.#stats.messageBytes += op.data.byteLength;
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (let op = this.#ops.shift(); op; op = this.#ops.shift()) {
        if (this.#failure) continue;
        try {
          await this.#write(op);
        } catch (err) {
          this.#failure = new RecordingError(`recording to ${this.#writer?.path ?? this.#o.path} failed: ${describeError(err)}`, { cause: err });
        }
        this.#queued -= op.data.byteLength;
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #write(op: Op): Promise<void> {
    await this.#rotateIfDue(op.logTime);
    const w = this.#writer ?? (await this.#open());
    let id = this.#channels.get(op.channel);
    if (id === undefined) {
      id = await w.channel(op.spec);
      this.#channels.set(op.channel, id);
      this.#specs.set(op.channel, op.spec);
    }
    await w.add(id, { sequence: op.seq, logTime: op.logTime, publishTime: op.publishTime, data: op.data });
    this.#stats.messages++;
    if (op.truth) {
      this.#truthWritten.push({ at: op.logTime, ...op.truth });
      if (this.#truthWritten.length > 256) this.#truthWritten.shift();
    }
  }

  async #rotateIfDue(logTime: bigint): Promise<void> {
    const r = this.#o.rotate;
    const w = this.#writer;
    if (!r || !w || this.#segmentStart === undefined) return;
    const bySize = r.maxBytes !== undefined && w.bytesWritten >= r.maxBytes;
    const byTime = r.everyNs !== undefined && logTime - this.#segmentStart >= r.everyNs;
    if (!bySize && !byTime) return;
    this.#writer = undefined;
    await w.close();
    this.#stats.fileBytes += w.bytesWritten;
    this.#segment++;
    const next = await this.#open(logTime);
    // Each segment is a complete log on its own: register every channel seen so far.
    this.#channels = new Map();
    for (const [key, spec] of this.#specs) this.#channels.set(key, await next.channel(spec));
    // …and the truth from the segment's start: the point in force then, and the changes after it
    // already written to the previous file (truth runs ahead of the samples), so a segment replayed
    // alone is graded correctly. Every change up to `logTime` is written by now: truth is queued
    // before any sample or result stamped after it.
    const written = this.#truthWritten.splice(0);
    const before = written.filter((p) => p.at <= logTime).pop();
    for (const p of written.filter((x) => x === before || x.at > logTime)) await this.#write(this.#truthOp(p.at, p.index, p.change) as Op);
  }

  async #open(at: bigint = this.#startNs): Promise<McapLogWriter> {
    const o = this.#o;
    const path = segmentPath(o.path, this.#startNs, o.rotate ? this.#segment : undefined);
    ensureDir(path);
    const entries: Record<string, string> = {
      format: LOG_FORMAT,
      software: o.software,
      node: process.version,
      start_ns: this.#startNs.toString(),
      start_iso: nsToIso(this.#startNs),
      segment: String(this.#segment),
      segment_start_ns: at.toString(),
      compression: o.compression ?? 'zstd',
      downsample: String(o.downsample ?? 1),
      pipelines: (o.pipelines ?? []).join(','),
      ...(o.groundTruth || o.truthMeta ? { ground_truth: (o.groundTruth ?? o.truthMeta)?.key ?? '' } : {}),
      ...(o.config ? { config_yaml: o.config.yaml, ...(o.config.dir !== undefined ? { config_dir: o.config.dir } : {}) } : {}),
      ...o.meta,
    };
    const w = await McapLogWriter.create({
      path,
      library: o.software,
      compression: o.compression ?? 'zstd',
      ...(o.zstdLevel !== undefined ? { zstdLevel: o.zstdLevel } : {}),
      chunkSize: o.chunkSize ?? 4 << 20,
      metadata: [{ name: LOG_METADATA, entries }],
    });
    this.#writer = w;
    this.#segmentStart = at;
    this.#stats.files.push(path);
    return w;
  }
}

/** The source's description as channel metadata (replay describes the source from it). */
function describe(d: SourceDescription | undefined): Record<string, string> {
  if (!d) return {};
  return { [META.description]: JSON.stringify({ ...d, ...(d.latencyNs !== undefined ? { latencyNs: d.latencyNs.toString() } : {}) }) };
}

/** A payload whose buffer was already transferred to the worker (a tap registered too late). */
function detached(s: AnySample): boolean {
  const p = s.payload as { data?: ArrayBufferView; ranges?: ArrayBufferView; xyz?: ArrayBufferView };
  const v = p.data ?? p.ranges ?? p.xyz;
  return v !== undefined && v.buffer.byteLength === 0 && v.byteLength === 0 && (s.kind === 'image' || s.kind === 'depth') && (s.payload as { width: number }).width > 0;
}
