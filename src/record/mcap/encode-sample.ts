import { eegLength, type AnySample, type PointCloud } from '../../core/sample.ts';
import { floatsToJson, jsonWithBase64, nsToTime } from './json-arrays.ts';
import { SCHEMA, type SchemaName } from './schemas.ts';

/**
 * Sample → MCAP message body (JSON). What a Foxglove schema has no field for goes into the
 * `sensorium` object: `t_end_ns` and `device_t` (bigints as decimal strings), and per kind the
 * exact parameters replay needs (LaserScan's angle increment rather than a recomputed one, depth
 * units). Runs synchronously in the recorder tap: payload buffers may be transferred to the
 * inference worker right after the tap returns.
 */
export interface EncodedSample {
  schema: SchemaName;
  data: Uint8Array;
}

const RAW_ENCODING = { rgb24: 'rgb8', gray8: 'mono8', i420: 'i420' } as const;
const BYTES_PER_PIXEL = { rgb24: 3, gray8: 1, i420: 1 } as const;

/** Foxglove `NumericType` values (foxglove.PackedElementField.type). */
export const NUMERIC = { UINT16: 3, FLOAT32: 7 } as const;

export function encodeSample(s: AnySample): EncodedSample {
  const extra: Record<string, unknown> = {};
  if (s.tEnd !== undefined) extra['t_end_ns'] = s.tEnd.toString();
  if (s.deviceT !== undefined) extra['device_t'] = s.deviceT.toString();
  const head = { timestamp: nsToTime(s.t), frame_id: s.sourceId };
  switch (s.kind) {
    case 'image': {
      const p = s.payload;
      if (p.format === 'jpeg') {
        return { schema: SCHEMA.compressedImage, data: jsonWithBase64({ ...head, format: 'jpeg', sensorium: { ...extra, width: p.width, height: p.height } }, p.data) };
      }
      // i420 is planar with a half-width chroma; `step` is the luma row length (Foxglove has no i420
      // encoding: such channels replay exactly but do not render there).
      const msg = { ...head, width: p.width, height: p.height, encoding: RAW_ENCODING[p.format], step: p.width * BYTES_PER_PIXEL[p.format], sensorium: extra };
      return { schema: SCHEMA.rawImage, data: jsonWithBase64(msg, p.data) };
    }
    case 'depth': {
      const p = s.payload;
      const msg = { ...head, width: p.width, height: p.height, encoding: '16UC1', step: p.width * 2, sensorium: { ...extra, unit_m: p.unitM } };
      return { schema: SCHEMA.rawImage, data: jsonWithBase64(msg, p.data) };
    }
    case 'scan': {
      const p = s.payload;
      const n = p.ranges.length;
      const ranges = floatsToJson(p.ranges);
      const intensities = p.intensities ? floatsToJson(p.intensities) : undefined;
      const special: Record<string, unknown> = {};
      if (ranges.specials.length) special['ranges'] = ranges.specials;
      if (intensities?.specials.length) special['intensities'] = intensities.specials;
      const msg = {
        ...head,
        pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
        start_angle: p.angleMin,
        end_angle: p.angleMin + Math.max(0, n - 1) * p.angleIncrement,
        ranges: ranges.values,
        // Required by the schema: an absent array is written empty and flagged, so replay can tell.
        intensities: intensities?.values ?? [],
        sensorium: {
          ...extra,
          angle_increment: p.angleIncrement,
          range_min: p.rangeMin,
          range_max: p.rangeMax,
          ...(p.intensities ? {} : { no_intensities: true }),
          ...(Object.keys(special).length ? { special } : {}),
        },
      };
      return { schema: SCHEMA.laserScan, data: new TextEncoder().encode(JSON.stringify(msg)) };
    }
    case 'cloud':
      return encodeCloud(s.payload, head, extra);
    case 'eeg': {
      const p = s.payload;
      const n = eegLength(p);
      const samples: number[][] = [];
      const special: [number, number, string][] = [];
      for (let c = 0; c < p.channels; c++) {
        const row = floatsToJson(p.data, c * n, (c + 1) * n);
        samples.push(row.values);
        for (const [i, v] of row.specials) special.push([c, i, v]);
      }
      const msg = {
        ...head,
        rate_hz: p.rateHz,
        channels: p.channels,
        ...(p.channelNames ? { channel_names: p.channelNames } : {}),
        first_sample_index: p.firstSampleIndex,
        samples,
        sensorium: { ...extra, ...(special.length ? { special } : {}) },
      };
      return { schema: SCHEMA.eeg, data: new TextEncoder().encode(JSON.stringify(msg)) };
    }
  }
}

/** Packs xyz (+ intensity, time offset, ring) per point, copying bytes so NaN payloads survive. */
function encodeCloud(p: PointCloud, head: Record<string, unknown>, extra: Record<string, unknown>): EncodedSample {
  const fields: { name: string; offset: number; type: number; src: ArrayBufferView; size: number }[] = [
    { name: 'x', offset: 0, type: NUMERIC.FLOAT32, src: p.xyz, size: 12 },
  ];
  let stride = 12;
  const add = (name: string, src: ArrayBufferView | undefined, type: number, size: number): void => {
    if (!src) return;
    fields.push({ name, offset: stride, type, src, size });
    stride += size;
  };
  add('intensity', p.intensity, NUMERIC.FLOAT32, 4);
  add('time_offset', p.timeOffset, NUMERIC.FLOAT32, 4);
  add('ring', p.ring, NUMERIC.UINT16, 2);
  const packed = new Uint8Array(p.count * stride);
  for (const f of fields) {
    const src = new Uint8Array(f.src.buffer, f.src.byteOffset, f.src.byteLength);
    for (let i = 0; i < p.count; i++) packed.set(src.subarray(i * f.size, (i + 1) * f.size), i * stride + f.offset);
  }
  const described = [
    { name: 'x', offset: 0, type: NUMERIC.FLOAT32 },
    { name: 'y', offset: 4, type: NUMERIC.FLOAT32 },
    { name: 'z', offset: 8, type: NUMERIC.FLOAT32 },
    ...fields.slice(1).map((f) => ({ name: f.name, offset: f.offset, type: f.type })),
  ];
  const msg = {
    ...head,
    pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
    point_stride: stride,
    fields: described,
    sensorium: { ...extra, count: p.count },
  };
  return { schema: SCHEMA.pointCloud, data: jsonWithBase64(msg, packed) };
}
