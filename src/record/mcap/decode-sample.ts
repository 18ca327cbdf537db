import type { AnySample, ImageFrame, PointCloud, SampleKind } from '../../core/sample.ts';
import { fromBase64, jsonToFloats, timeToNs, type Specials } from './json-arrays.ts';
import { NUMERIC } from './encode-sample.ts';
import { SCHEMA } from './schemas.ts';

/**
 * MCAP message (Foxglove JSON schemas + our EEG schema) → Sample: the inverse of encode-sample.ts.
 * Also reads such channels written by other tools: without our `sensorium` object, time of
 * validity falls back to the message's `timestamp`, and BGR/RGBA images are converted to rgb24.
 */
export interface MessageMeta {
  sourceId: string;
  seq: number;
  logTime: bigint;
  publishTime: bigint;
}

type Json = Record<string, unknown>;

/** Thrown for a message that is well-formed but not something a Sample can hold (skipped, counted). */
export class UnsupportedMessage extends Error {}

/** Which Sample kind a Foxglove-JSON message becomes (RawImage: by its encoding). */
export function kindOfJson(schema: string, msg: Json): SampleKind | undefined {
  switch (schema) {
    case SCHEMA.rawImage:
      return DEPTH_ENCODINGS.has(String(msg['encoding'])) ? 'depth' : 'image';
    case SCHEMA.compressedImage:
      return 'image';
    case SCHEMA.laserScan:
      return 'scan';
    case SCHEMA.pointCloud:
      return 'cloud';
    case SCHEMA.eeg:
      return 'eeg';
    default:
      return undefined;
  }
}

const DEPTH_ENCODINGS = new Set(['16UC1', 'mono16']);

export function decodeJsonSample(schema: string, msg: Json, m: MessageMeta): AnySample {
  const extra = (msg['sensorium'] as Json | undefined) ?? {};
  const ours = msg['sensorium'] !== undefined;
  const stamp = timeToNs(msg['timestamp']);
  const t = ours ? m.publishTime : stamp && stamp > 0n ? stamp : m.logTime;
  const head = {
    sourceId: m.sourceId,
    seq: m.seq,
    t,
    ...(typeof extra['t_end_ns'] === 'string' ? { tEnd: BigInt(extra['t_end_ns']) } : {}),
    ...(typeof extra['device_t'] === 'string' ? { deviceT: BigInt(extra['device_t']) } : {}),
    receivedAt: m.logTime,
  };
  const kind = kindOfJson(schema, msg);
  switch (kind) {
    case 'image':
      return { ...head, kind, payload: schema === SCHEMA.compressedImage ? compressed(msg, extra) : rawImage(msg) };
    case 'depth': {
      const width = int(msg, 'width');
      const height = int(msg, 'height');
      const bytes = packedRows(fromBase64(str(msg, 'data')), height, int(msg, 'step'), width * 2);
      const unitM = typeof extra['unit_m'] === 'number' ? extra['unit_m'] : 0.001;
      return { ...head, kind, payload: { width, height, unitM, data: new Uint16Array(bytes.buffer, 0, width * height) } };
    }
    case 'scan': {
      const ranges = arr(msg, 'ranges');
      const special = (extra['special'] as { ranges?: Specials; intensities?: Specials } | undefined) ?? {};
      const n = ranges.length;
      const inc = typeof extra['angle_increment'] === 'number' ? extra['angle_increment'] : n > 1 ? (num(msg, 'end_angle') - num(msg, 'start_angle')) / (n - 1) : 0;
      const intens = arr(msg, 'intensities');
      return {
        ...head,
        kind,
        payload: {
          angleMin: num(msg, 'start_angle'),
          angleIncrement: inc,
          rangeMin: typeof extra['range_min'] === 'number' ? extra['range_min'] : 0,
          rangeMax: typeof extra['range_max'] === 'number' ? extra['range_max'] : Infinity,
          ranges: jsonToFloats(ranges, special.ranges),
          ...(extra['no_intensities'] === true || (!ours && intens.length === 0) ? {} : { intensities: jsonToFloats(intens, special.intensities) }),
        },
      };
    }
    case 'cloud':
      return { ...head, kind, payload: cloud(msg, extra) };
    case 'eeg': {
      const rows = arr(msg, 'samples') as unknown[][];
      const channels = int(msg, 'channels');
      const n = rows[0]?.length ?? 0;
      const data = new Float32Array(channels * n);
      rows.forEach((row, c) => jsonToFloats(row, undefined, data, c * n));
      for (const [c, i, v] of (extra['special'] as [number, number, string][] | undefined) ?? []) data[c * n + i] = v === '-0' ? -0 : Number(v);
      const names = msg['channel_names'];
      return {
        ...head,
        kind,
        payload: { rateHz: num(msg, 'rate_hz'), channels, ...(Array.isArray(names) ? { channelNames: names.map(String) } : {}), data, firstSampleIndex: int(msg, 'first_sample_index') },
      };
    }
    default:
      throw new UnsupportedMessage(`schema ${schema} has no sample mapping`);
  }
}

function rawImage(msg: Json): ImageFrame {
  const width = int(msg, 'width');
  const height = int(msg, 'height');
  const enc = str(msg, 'encoding');
  const data = fromBase64(str(msg, 'data'));
  const step = int(msg, 'step');
  switch (enc) {
    case 'rgb8':
    case '8UC3':
      return { width, height, format: 'rgb24', data: packedRows(data, height, step, width * 3) };
    case 'mono8':
    case '8UC1':
      return { width, height, format: 'gray8', data: packedRows(data, height, step, width) };
    case 'i420':
      return { width, height, format: 'i420', data };
    case 'bgr8':
    case 'rgba8':
    case 'bgra8':
      return { width, height, format: 'rgb24', data: toRgb24(data, width, height, step, enc) };
    default:
      throw new UnsupportedMessage(`image encoding ${enc} is not supported (rgb8, bgr8, rgba8, bgra8, mono8, 16UC1)`);
  }
}

function compressed(msg: Json, extra: Json): ImageFrame {
  const format = str(msg, 'format');
  if (!format.includes('jpeg') && !format.includes('jpg')) throw new UnsupportedMessage(`compressed image format ${format} is not supported (jpeg only)`);
  const data = fromBase64(str(msg, 'data'));
  const dims = typeof extra['width'] === 'number' ? { width: extra['width'], height: int(extra, 'height') } : jpegSize(data);
  return { ...dims, format: 'jpeg', data };
}

/** Rows without padding: a copy when `step` exceeds the packed row length. */
export function packedRows(data: Uint8Array, height: number, step: number, row: number): Uint8Array {
  if (step === row || height === 0) return data;
  if (step < row || data.length < step * (height - 1) + row) throw new UnsupportedMessage(`image step ${step} < row bytes ${row} or short data`);
  const out = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * step, y * step + row), y * row);
  return out;
}

/** bgr8 / rgba8 / bgra8 → rgb24. */
export function toRgb24(data: Uint8Array, width: number, height: number, step: number, enc: string): Uint8Array {
  const bpp = enc === 'bgr8' ? 3 : 4;
  const [r, b] = enc.startsWith('bgr') ? [2, 0] : [0, 2];
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * step + x * bpp;
      const o = (y * width + x) * 3;
      out[o] = data[i + r] as number;
      out[o + 1] = data[i + 1] as number;
      out[o + 2] = data[i + b] as number;
    }
  }
  return out;
}

/** Width and height from a JPEG's SOFn marker (0 × 0 when none is found). */
export function jpegSize(d: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < d.length) {
    if (d[i] !== 0xff) return { width: 0, height: 0 };
    const marker = d[i + 1] as number;
    const len = ((d[i + 2] as number) << 8) | (d[i + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: ((d[i + 5] as number) << 8) | (d[i + 6] as number), width: ((d[i + 7] as number) << 8) | (d[i + 8] as number) };
    }
    i += 2 + len;
  }
  return { width: 0, height: 0 };
}

function cloud(msg: Json, extra: Json): PointCloud {
  const stride = int(msg, 'point_stride');
  const data = fromBase64(str(msg, 'data'));
  const count = typeof extra['count'] === 'number' ? extra['count'] : stride > 0 ? Math.floor(data.length / stride) : 0;
  const fields = new Map((arr(msg, 'fields') as Json[]).map((f) => [String(f['name']), { offset: int(f, 'offset'), type: int(f, 'type') }]));
  const x = fields.get('x');
  const y = fields.get('y');
  const z = fields.get('z');
  if (!x || !y || !z || [x, y, z].some((f) => f.type !== NUMERIC.FLOAT32)) throw new UnsupportedMessage('point cloud without float32 x, y, z');
  // Byte copies (not number conversions) keep NaN payloads and -0 exactly as recorded.
  const take = (offset: number, size: number, into: Uint8Array, k: number, slot: number): void => {
    for (let i = 0; i < count; i++) into.set(data.subarray(i * stride + offset, i * stride + offset + size), (i * k + slot) * size);
  };
  const xyz = new Float32Array(count * 3);
  const xyzBytes = new Uint8Array(xyz.buffer);
  take(x.offset, 4, xyzBytes, 3, 0);
  take(y.offset, 4, xyzBytes, 3, 1);
  take(z.offset, 4, xyzBytes, 3, 2);
  const out: PointCloud = { count, xyz };
  const f32 = (name: string): Float32Array | undefined => {
    const f = fields.get(name);
    if (!f || f.type !== NUMERIC.FLOAT32) return undefined;
    const a = new Float32Array(count);
    take(f.offset, 4, new Uint8Array(a.buffer), 1, 0);
    return a;
  };
  const intensity = f32('intensity');
  const timeOffset = f32('time_offset');
  if (intensity) out.intensity = intensity;
  if (timeOffset) out.timeOffset = timeOffset;
  const ring = fields.get('ring');
  if (ring?.type === NUMERIC.UINT16) {
    out.ring = new Uint16Array(count);
    take(ring.offset, 2, new Uint8Array(out.ring.buffer), 1, 0);
  }
  return out;
}

function int(m: Json, k: string): number {
  const v = m[k];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`field ${k}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
}
function num(m: Json, k: string): number {
  const v = m[k];
  if (typeof v !== 'number') throw new TypeError(`field ${k}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function str(m: Json, k: string): string {
  const v = m[k];
  if (typeof v !== 'string') throw new TypeError(`field ${k}: expected a string`);
  return v;
}
function arr(m: Json, k: string): unknown[] {
  const v = m[k];
  if (!Array.isArray(v)) throw new TypeError(`field ${k}: expected an array`);
  return v;
}
