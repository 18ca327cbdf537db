import { RecordingError, describeError } from '../../core/errors.ts';
import type { GroundTruthTrack, LogInfo, LogOpener, LogReader, SampleQuery, TruthPoint } from '../../core/log-reader.ts';
import type { AnySample } from '../../core/sample.ts';
import { fileSource, memorySource, type ByteSource } from './byte-source.ts';
import { UnsupportedMessage } from './decode-sample.ts';
import { McapLogFile } from './log-file.ts';
import { GROUND_TRUTH_TOPIC, LOG_METADATA, META } from './schemas.ts';
import { planSources, type SourcePlan } from './source-plan.ts';

/**
 * The MCAP implementation of the {@link LogReader} seam: sensorium logs, rosbag2 (profile `ros2`,
 * CDR sensor_msgs) and other MCAP files with Foxglove JSON channels. `src/main.ts` hands
 * {@link openMcapLog} to the replay driver.
 */
export const openMcapLog: LogOpener = async (path) => openLogSource(await fileSource(path));

/** Opens a log held in memory (tests, recovered bytes). */
export function openMcapBytes(bytes: Uint8Array, label = 'memory'): Promise<LogReader> {
  return openLogSource(memorySource(bytes, label));
}

async function openLogSource(source: ByteSource): Promise<LogReader> {
  try {
    const file = await McapLogFile.open(source);
    const notes: string[] = [];
    const plans = await planSources(file, notes);
    return new McapLogReader(file, plans, notes);
  } catch (err) {
    await source.close();
    if (err instanceof RecordingError) throw err;
    throw new RecordingError(`${source.label}: cannot read log: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Where replay starts: the recording's start (for a rotated segment, where it began), or the first
 * message if that is earlier — arrivals from several sources are not perfectly ordered, so a
 * segment can hold a sample stamped just before the message that opened it.
 */
function startOf(meta: Record<string, string>, first: bigint): bigint {
  const declared = meta['segment_start_ns'] ?? meta['start_ns'];
  if (declared === undefined) return first;
  const d = BigInt(declared);
  return first < d ? first : d;
}

class McapLogReader implements LogReader {
  readonly info: LogInfo;
  readonly #file: McapLogFile;
  readonly #plans: Map<number, SourcePlan>;
  readonly #skipped = new Map<string, number>();

  constructor(file: McapLogFile, plans: SourcePlan[], notes: string[]) {
    this.#file = file;
    this.#plans = new Map(plans.map((p) => [p.channelId, p]));
    const meta = Object.fromEntries(file.metadata.get(LOG_METADATA) ?? []);
    const format = file.metadata.has(LOG_METADATA) ? 'sensorium' : file.profile === 'ros2' ? 'rosbag2' : 'mcap';
    if (file.recovered) {
      notes.push(`no summary: the file was cut off${file.truncatedAt !== undefined ? ` at byte ${file.truncatedAt}` : ''}; read up to its last complete chunk`);
    }
    if (meta['downsample'] && meta['downsample'] !== '1') notes.push(`camera and depth frames were area-averaged ${meta['downsample']}× when recorded (lossy)`);
    const first = file.chunks.reduce<bigint | undefined>((a, c) => (a === undefined || c.start < a ? c.start : a), undefined) ?? 0n;
    const last = file.chunks.reduce((a, c) => (c.end > a ? c.end : a), first);
    const pipelines = [...file.channels.values()].map((c) => c.metadata.get(META.pipeline)).filter((p): p is string => p !== undefined);
    this.info = {
      path: file.source.label,
      format,
      library: file.library,
      startNs: startOf(meta, first),
      endNs: last,
      sources: plans.map((p) => p.source),
      ...(meta['config_yaml'] ? { config: { yaml: meta['config_yaml'], ...(meta['config_dir'] ? { dir: meta['config_dir'] } : {}) } } : {}),
      meta,
      pipelines,
      notes,
      recovered: file.recovered,
    };
  }

  async *samples(q: SampleQuery = {}): AsyncGenerator<AnySample> {
    const want = q.sources ? new Set(q.sources) : undefined;
    const plans = [...this.#plans.values()].filter((p) => !want || want.has(p.source.id));
    const seqs = new Map<number, number>();
    const messages = this.#file.messages({ channelIds: new Set(plans.map((p) => p.channelId)), ...(q.startNs !== undefined ? { startNs: q.startNs } : {}), ...(q.endNs !== undefined ? { endNs: q.endNs } : {}) });
    for await (const m of messages) {
      const plan = this.#plans.get(m.channelId) as SourcePlan;
      const seq = plan.ownSeq ? m.sequence : (seqs.get(m.channelId) ?? 0);
      let s: AnySample;
      try {
        s = plan.decode(m, seq);
      } catch (err) {
        if (err instanceof UnsupportedMessage) {
          this.#skip(plan.source.topic, err.message);
          continue;
        }
        throw new RecordingError(`${this.info.path}: undecodable message on ${plan.source.topic} in the chunk at byte ${m.chunkOffset}: ${describeError(err)}`, { offset: m.chunkOffset, cause: err, code: 'E_RECORDING_CORRUPT' });
      }
      seqs.set(m.channelId, seq + 1);
      yield s;
    }
  }

  #skip(topic: string, why: string): void {
    const key = `${topic}: ${why}`;
    const n = (this.#skipped.get(key) ?? 0) + 1;
    this.#skipped.set(key, n);
    if (n === 1) this.info.notes.push(`skipped messages on ${key}`);
  }

  async groundTruth(): Promise<GroundTruthTrack | undefined> {
    const ch = [...this.#file.channels.values()].find((c) => c.topic === GROUND_TRUTH_TOPIC);
    if (!ch) return undefined;
    const points: TruthPoint[] = [];
    let key = '';
    let labels: readonly string[] = [];
    for await (const m of this.#file.messages({ channelIds: new Set([ch.id]) })) {
      const g = JSON.parse(new TextDecoder().decode(m.data)) as { key: string; index: number; labels: string[]; change: boolean };
      key = g.key;
      labels = g.labels;
      points.push({ at: m.logTime, label: g.index, change: g.change });
    }
    return { key, labels, points };
  }

  close(): Promise<void> {
    return this.#file.source.close();
  }
}
