import type { SourceDescription } from '../../core/device.ts';
import type { LoggedSource } from '../../core/log-reader.ts';
import type { AnySample, Modality, SampleKind } from '../../core/sample.ts';
import { decodeJsonSample, kindOfJson } from './decode-sample.ts';
import type { FileMessage, McapLogFile } from './log-file.ts';
import type { ChannelRecord } from './records.ts';
import { ROS2_SENSOR_SCHEMAS, decodeRos2, ros2Kind } from './ros2-messages.ts';
import { META, SCHEMA } from './schemas.ts';

/**
 * How each channel of a log becomes a source (or why it does not): sensorium channels say so in
 * their metadata; Foxglove-JSON and rosbag2 sensor channels are mapped by schema, their kind
 * decided by a first message (a RawImage or sensor_msgs/Image is a depth source when 16-bit).
 */
export interface SourcePlan {
  channelId: number;
  source: LoggedSource;
  decode(m: FileMessage, seq: number): AnySample;
  /** True when the MCAP `sequence` is the sample's seq (our logs); else replay numbers samples. */
  ownSeq: boolean;
}

const FOXGLOVE_JSON = new Set<string>([SCHEMA.rawImage, SCHEMA.compressedImage, SCHEMA.laserScan, SCHEMA.pointCloud, SCHEMA.eeg]);
const MODALITY: Record<SampleKind, Modality> = { image: 'camera', depth: 'depth', scan: 'lidar', cloud: 'lidar', eeg: 'eeg' };
/** Chunks read to find a first message per channel before guessing (bounded open time). */
const PEEK_CHUNKS = 64;

export async function planSources(file: McapLogFile, notes: string[]): Promise<SourcePlan[]> {
  const candidates: { ch: ChannelRecord; schema: string; ros2: boolean }[] = [];
  for (const ch of file.channels.values()) {
    if (ch.metadata.has(META.pipeline) || ch.topic.startsWith('/sensorium/')) continue;
    const schema = file.schemas.get(ch.schemaId)?.name ?? '';
    const ros2 = ch.messageEncoding === 'cdr' && (ROS2_SENSOR_SCHEMAS as readonly string[]).includes(schema);
    if ((ch.messageEncoding === 'json' && FOXGLOVE_JSON.has(schema)) || ros2) candidates.push({ ch, schema, ros2 });
    else notes.push(`skipped ${ch.topic} (${schema || 'no schema'}, ${ch.messageEncoding || 'no encoding'}): not a sensor message Sensorium maps`);
  }
  const first = await firstMessages(file, candidates.filter((c) => !c.ch.metadata.has(META.kind)).map((c) => c.ch.id));
  const used = new Set<string>();
  const plans: SourcePlan[] = [];
  for (const { ch, schema, ros2 } of candidates) {
    const m = first.get(ch.id);
    let kind = ch.metadata.get(META.kind) as SampleKind | undefined;
    try {
      kind ??= m ? (ros2 ? ros2Kind(schema, m.data) : kindOfJson(schema, JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>)) : guess(schema);
    } catch {
      kind = guess(schema);
    }
    if (!kind) continue;
    let id = ch.metadata.get(META.source) ?? sourceIdOf(ch.topic);
    while (used.has(id)) id += '_';
    used.add(id);
    const count = file.counts?.get(ch.id);
    const source: LoggedSource = {
      id,
      topic: ch.topic,
      kind,
      description: described(ch) ?? estimate(file, kind, count, m?.data.byteLength ?? 0),
      ...(count !== undefined ? { messageCount: count } : {}),
    };
    const sourceId = id;
    const k = kind;
    plans.push({
      channelId: ch.id,
      source,
      ownSeq: !ros2 && ch.metadata.has(META.source),
      decode: ros2
        ? (msg, seq) => {
            const d = decodeRos2(schema, msg.data);
            if (d.kind !== k) throw new TypeError(`message of kind ${d.kind} on a ${k} topic`);
            const t = d.stampNs > 0n ? d.stampNs : msg.logTime;
            return { kind: d.kind, sourceId, seq, t, ...(d.durationNs ? { tEnd: t + d.durationNs } : {}), receivedAt: msg.logTime, payload: d.payload } as AnySample;
          }
        : (msg, seq) => {
            const body = JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
            const s = decodeJsonSample(schema, body, { sourceId, seq, logTime: msg.logTime, publishTime: msg.publishTime });
            if (s.kind !== k) throw new TypeError(`message of kind ${s.kind} on a ${k} topic`);
            return s;
          },
    });
  }
  return plans;
}

/** `/camera/color/image_raw` → `camera_color_image_raw` (config source ids are [A-Za-z0-9_-]). */
export function sourceIdOf(topic: string): string {
  return topic.replace(/^\/+/, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'source';
}

function guess(schema: string): SampleKind | undefined {
  if (schema.endsWith('Image')) return 'image';
  if (schema.endsWith('LaserScan')) return 'scan';
  if (schema.endsWith('PointCloud') || schema.endsWith('PointCloud2')) return 'cloud';
  if (schema === SCHEMA.eeg) return 'eeg';
  return undefined;
}

function described(ch: ChannelRecord): SourceDescription | undefined {
  const text = ch.metadata.get(META.description);
  if (!text) return undefined;
  const d = JSON.parse(text) as SourceDescription & { latencyNs?: string };
  if (typeof d.kind !== 'string' || typeof d.modality !== 'string' || typeof d.nominalHz !== 'number') return undefined;
  return { ...d, ...(d.latencyNs !== undefined ? { latencyNs: BigInt(d.latencyNs) } : {}) } as SourceDescription;
}

/** For logs we did not write: rate from the message count over the log's span. */
function estimate(file: McapLogFile, kind: SampleKind, count: number | undefined, bytes: number): SourceDescription {
  const start = file.chunks.reduce((a, c) => (c.start < a ? c.start : a), file.chunks[0]?.start ?? 0n);
  const end = file.chunks.reduce((a, c) => (c.end > a ? c.end : a), 0n);
  const spanS = Number(end - start) / 1e9;
  const hz = count && count > 1 && spanS > 0 ? (count - 1) / spanS : 10;
  return { kind, modality: MODALITY[kind], nominalHz: Math.round(hz * 100) / 100, bytesPerSample: Math.max(1, bytes) };
}

async function firstMessages(file: McapLogFile, ids: number[]): Promise<Map<number, FileMessage>> {
  const out = new Map<number, FileMessage>();
  const want = new Set(ids);
  const inFileOrder = [...file.chunks].sort((a, b) => a.offset - b.offset).slice(0, PEEK_CHUNKS);
  for (const c of inFileOrder) {
    if (want.size === 0) break;
    for (const m of await file.loadChunk(c)) {
      if (want.has(m.channelId) && !out.has(m.channelId)) {
        out.set(m.channelId, m);
        want.delete(m.channelId);
      }
    }
  }
  return out;
}
