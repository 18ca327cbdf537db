import type { DepthFrame, ImageFrame, LaserScan, PayloadByKind, PointCloud, SampleKind } from '../../core/sample.ts';
import { UnsupportedMessage, jpegSize, packedRows, toRgb24 } from './decode-sample.ts';
import { CdrReader } from './ros2-cdr.ts';

/**
 * ROS 2 sensor messages (CDR, as rosbag2 records them) → Sample payloads. Field layouts are those
 * of sensor_msgs (common_interfaces, Humble–Jazzy: unchanged since Foxy). Other message types are
 * not sensor data for Sensorium; their topics are skipped with a note.
 */
export const ROS2_SENSOR_SCHEMAS = ['sensor_msgs/msg/Image', 'sensor_msgs/msg/CompressedImage', 'sensor_msgs/msg/LaserScan', 'sensor_msgs/msg/PointCloud2'] as const;

export interface Ros2Decoded<K extends SampleKind = SampleKind> {
  kind: K;
  stampNs: bigint;
  payload: PayloadByKind[K];
  /** End of validity when the message says (LaserScan `scan_time`). */
  durationNs?: bigint;
}

/** Which Sample kind a message of `schema` becomes; Image is decided by its `encoding`. */
export function ros2Kind(schema: string, data: Uint8Array): SampleKind | undefined {
  switch (schema) {
    case 'sensor_msgs/msg/Image': {
      const r = new CdrReader(data);
      r.header();
      r.u32();
      r.u32();
      return DEPTH.has(r.string()) ? 'depth' : 'image';
    }
    case 'sensor_msgs/msg/CompressedImage':
      return 'image';
    case 'sensor_msgs/msg/LaserScan':
      return 'scan';
    case 'sensor_msgs/msg/PointCloud2':
      return 'cloud';
    default:
      return undefined;
  }
}

const DEPTH = new Set(['16UC1', 'mono16', '32FC1']);

export function decodeRos2(schema: string, data: Uint8Array): Ros2Decoded {
  const r = new CdrReader(data);
  const { stampNs } = r.header();
  switch (schema) {
    case 'sensor_msgs/msg/Image':
      return image(r, stampNs);
    case 'sensor_msgs/msg/CompressedImage': {
      const format = r.string();
      if (!format.toLowerCase().includes('jpeg') && !format.toLowerCase().includes('jpg')) throw new UnsupportedMessage(`compressed format ${format} (jpeg only)`);
      const bytes = r.bytes().slice();
      return { kind: 'image', stampNs, payload: { ...jpegSize(bytes), format: 'jpeg', data: bytes } };
    }
    case 'sensor_msgs/msg/LaserScan': {
      const angleMin = r.f32();
      r.f32(); // angle_max: implied by angle_min + (n − 1) · increment
      const angleIncrement = r.f32();
      r.f32(); // time_increment
      const scanTime = r.f32();
      const rangeMin = r.f32();
      const rangeMax = r.f32();
      const ranges = r.f32s();
      const intensities = r.f32s();
      const payload: LaserScan = { angleMin, angleIncrement, rangeMin, rangeMax, ranges, ...(intensities.length ? { intensities } : {}) };
      return { kind: 'scan', stampNs, payload, ...(scanTime > 0 ? { durationNs: BigInt(Math.round(scanTime * 1e9)) } : {}) };
    }
    case 'sensor_msgs/msg/PointCloud2':
      return { kind: 'cloud', stampNs, payload: pointCloud2(r) };
    default:
      throw new UnsupportedMessage(`${schema} is not a sensor message Sensorium maps`);
  }
}

function image(r: CdrReader, stampNs: bigint): Ros2Decoded {
  const height = r.u32();
  const width = r.u32();
  const encoding = r.string();
  const bigEndian = r.u8() !== 0;
  const step = r.u32();
  const data = r.bytes();
  if (encoding === '16UC1' || encoding === 'mono16') {
    // REP 118: 16-bit depth images are millimetres.
    const rows = packedRows(data, height, step, width * 2);
    const out = new Uint16Array(width * height);
    const v = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = v.getUint16(2 * i, !bigEndian);
    return { kind: 'depth', stampNs, payload: { width, height, unitM: 0.001, data: out } satisfies DepthFrame };
  }
  if (encoding === '32FC1') {
    // REP 118: float depth is metres; converted to Z16 millimetres (NaN/invalid → 0), lossy below 1 mm.
    const rows = packedRows(data, height, step, width * 4);
    const out = new Uint16Array(width * height);
    const v = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    for (let i = 0; i < out.length; i++) {
      const m = v.getFloat32(4 * i, !bigEndian);
      out[i] = Number.isFinite(m) && m > 0 ? Math.min(65535, Math.round(m * 1000)) : 0;
    }
    return { kind: 'depth', stampNs, payload: { width, height, unitM: 0.001, data: out } };
  }
  let frame: ImageFrame;
  switch (encoding) {
    case 'rgb8':
      frame = { width, height, format: 'rgb24', data: packedRows(data, height, step, width * 3).slice() };
      break;
    case 'mono8':
    case '8UC1':
      frame = { width, height, format: 'gray8', data: packedRows(data, height, step, width).slice() };
      break;
    case 'bgr8':
    case '8UC3':
    case 'rgba8':
    case 'bgra8':
      frame = { width, height, format: 'rgb24', data: toRgb24(data, width, height, step, encoding === '8UC3' ? 'bgr8' : encoding) };
      break;
    default:
      throw new UnsupportedMessage(`image encoding ${encoding} (rgb8, bgr8, rgba8, bgra8, mono8, 16UC1, 32FC1)`);
  }
  return { kind: 'image', stampNs, payload: frame };
}

/** sensor_msgs/PointField datatypes. */
const PF = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, FLOAT32: 7, FLOAT64: 8 } as const;
const PF_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 8: 8 };

function pointCloud2(r: CdrReader): PointCloud {
  const height = r.u32();
  const width = r.u32();
  const nFields = r.u32();
  const fields = new Map<string, { offset: number; type: number }>();
  for (let i = 0; i < nFields; i++) {
    const name = r.string();
    const offset = r.u32();
    const type = r.u8();
    r.u32(); // count
    fields.set(name, { offset, type });
  }
  const le = !r.bool();
  const pointStep = r.u32();
  const rowStep = r.u32();
  const data = r.bytes();
  const count = width * height;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = (i: number): number => Math.floor(i / width) * rowStep + (i % width) * pointStep;
  const read = (f: { offset: number; type: number }, o: number): number => {
    switch (f.type) {
      case PF.INT8: return view.getInt8(o);
      case PF.UINT8: return view.getUint8(o);
      case PF.INT16: return view.getInt16(o, le);
      case PF.UINT16: return view.getUint16(o, le);
      case PF.INT32: return view.getInt32(o, le);
      case PF.UINT32: return view.getUint32(o, le);
      case PF.FLOAT32: return view.getFloat32(o, le);
      case PF.FLOAT64: return view.getFloat64(o, le);
      default: throw new UnsupportedMessage(`PointField datatype ${f.type}`);
    }
  };
  const x = fields.get('x');
  const y = fields.get('y');
  const z = fields.get('z');
  if (!x || !y || !z) throw new UnsupportedMessage('PointCloud2 without x, y, z fields');
  if (count > 0 && at(count - 1) + pointStep > data.byteLength) throw new RangeError('PointCloud2 data shorter than width × height points');
  for (const f of fields.values()) if (!PF_SIZE[f.type]) throw new UnsupportedMessage(`PointField datatype ${f.type}`);
  const xyz = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const o = at(i);
    xyz[3 * i] = read(x, o + x.offset);
    xyz[3 * i + 1] = read(y, o + y.offset);
    xyz[3 * i + 2] = read(z, o + z.offset);
  }
  const cloud: PointCloud = { count, xyz };
  const column = (f: { offset: number; type: number }, scale = 1): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = read(f, at(i) + f.offset) * scale;
    return out;
  };
  const intensity = fields.get('intensity');
  if (intensity) cloud.intensity = column(intensity);
  // Velodyne drivers write `time` (float32 s from the sweep start); Ouster writes `t` (uint32 ns).
  const time = fields.get('time');
  const t = fields.get('t');
  if (time) cloud.timeOffset = column(time);
  else if (t) cloud.timeOffset = column(t, t.type === PF.UINT32 ? 1e-9 : 1);
  const ring = fields.get('ring');
  if (ring) {
    cloud.ring = new Uint16Array(count);
    for (let i = 0; i < count; i++) cloud.ring[i] = read(ring, at(i) + ring.offset);
  }
  return cloud;
}
