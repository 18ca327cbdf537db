/**
 * ROS 1 serialisation of the few message types a RealSense bag needs (wiki.ros.org/msg
 * "Serialization": little-endian, strings and arrays as u32 length + bytes).
 */
export interface RosImage {
  seq: number;
  stampNs: bigint;
  frameId: string;
  height: number;
  width: number;
  encoding: string;
  isBigEndian: boolean;
  step: number;
  data: Uint8Array;
}

class Reader {
  p = 0;
  readonly #dv: DataView;
  constructor(readonly b: Uint8Array) {
    this.#dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u8(): number {
    this.#need(1);
    return this.b[this.p++]!;
  }
  u32(): number {
    this.#need(4);
    const v = this.#dv.getUint32(this.p, true);
    this.p += 4;
    return v;
  }
  f32(): number {
    this.#need(4);
    const v = this.#dv.getFloat32(this.p, true);
    this.p += 4;
    return v;
  }
  f64(): number {
    this.#need(8);
    const v = this.#dv.getFloat64(this.p, true);
    this.p += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    this.#need(n);
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
  string(): string {
    return new TextDecoder().decode(this.bytes());
  }
  #need(n: number): void {
    if (this.p + n > this.b.length) throw new RangeError(`ROS message truncated at byte ${this.p} (+${n} of ${this.b.length})`);
  }
}

/** sensor_msgs/Image. Throws RangeError if the bytes are too short. */
export function readImage(b: Uint8Array): RosImage {
  const r = new Reader(b);
  const seq = r.u32();
  const sec = r.u32();
  const nsec = r.u32();
  const frameId = r.string();
  const height = r.u32();
  const width = r.u32();
  const encoding = r.string();
  const isBigEndian = r.u8() !== 0;
  const step = r.u32();
  const data = r.bytes();
  return { seq, stampNs: BigInt(sec) * 1_000_000_000n + BigInt(nsec), frameId, height, width, encoding, isBigEndian, step, data };
}

/** std_msgs/Float32. */
export function readFloat32(b: Uint8Array): number {
  return new Reader(b).f32();
}

/** sensor_msgs/CameraInfo up to K (what intrinsics need). */
export function readCameraInfoK(b: Uint8Array): { width: number; height: number; model: string; k: number[] } {
  const r = new Reader(b);
  r.u32();
  r.u32();
  r.u32();
  r.string();
  const height = r.u32();
  const width = r.u32();
  const model = r.string();
  const nd = r.u32();
  for (let i = 0; i < nd; i++) r.f64();
  const k = Array.from({ length: 9 }, () => r.f64());
  return { width, height, model, k };
}

/** diagnostic_msgs/KeyValue. */
export function readKeyValue(b: Uint8Array): { key: string; value: string } {
  const r = new Reader(b);
  return { key: r.string(), value: r.string() };
}
