import type { FrameDecoder } from '../../../src/core/device.ts';
import type { DepthFrame } from '../../../src/core/sample.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { ByteAccumulator } from '../../formats/byte-accumulator.ts';
import { readU16Image, writeU16Le } from '../../formats/u16-image.ts';

/**
 * Length-prefixed Z16 frames from a depth sidecar (sensor-protocols §4.2 "Recommended: a sidecar
 * process"): `'DZ16' | u32 LE header_len | JSON header | payload`. The JSON carries `w`, `h`,
 * optional `stride` (bytes per row, default 2·w), `depth_scale` (metres per unit, default 0.001),
 * `seq`, `device_ts_us` (the camera's clock) and anything else (intrinsics), which is kept.
 * The payload is `stride·h` bytes of little-endian uint16 (V4L2_PIX_FMT_Z16 byte order).
 */
export const Z16_MAGIC = Uint8Array.of(0x44, 0x5a, 0x31, 0x36); // 'DZ16'
const MAX_HEADER = 64 << 10;
const MAX_SIDE = 8192;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface Z16Frame {
  frame: DepthFrame;
  seq?: number;
  /** Device clock, µs, when the sidecar reports it. */
  deviceTimeUs?: number;
  header: Record<string, unknown>;
  receivedAt: TimestampNs;
}

export class Z16Decoder implements FrameDecoder<Z16Frame> {
  readonly #buf = new ByteAccumulator(4096); // grows to the first frame size, then stays
  readonly #out: Z16Frame[] = [];
  #stats = { badBytes: 0, frames: 0, badHeaders: 0 };

  push(bytes: Uint8Array, receivedAt: TimestampNs): void {
    this.#buf.append(bytes);
    while (this.#step(receivedAt));
  }

  next(): Z16Frame | undefined {
    return this.#out.shift();
  }

  stats(): { badBytes: number; frames: number; badHeaders: number } {
    return { ...this.#stats };
  }

  /** One frame or one resync step; false when more bytes are needed. */
  #step(at: TimestampNs): boolean {
    const buf = this.#buf;
    if (buf.length < 8) return false;
    if (!(buf.at(0) === 0x44 && buf.at(1) === 0x5a && buf.at(2) === 0x31 && buf.at(3) === 0x36)) {
      this.#bad(1);
      return true;
    }
    const hlen = (buf.at(4) | (buf.at(5) << 8) | (buf.at(6) << 16) | (buf.at(7) << 24)) >>> 0;
    if (hlen < 2 || hlen > MAX_HEADER) return this.#badHeader();
    if (buf.length < 8 + hlen) return false;
    let header: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(utf8.decode(buf.view().subarray(8, 8 + hlen)));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return this.#badHeader();
      header = parsed as Record<string, unknown>;
    } catch {
      return this.#badHeader();
    }
    const w = header['w'];
    const h = header['h'];
    const stride = header['stride'] ?? (typeof w === 'number' ? 2 * w : undefined);
    const scale = header['depth_scale'] ?? 0.001;
    if (!isInt(w, 1, MAX_SIDE) || !isInt(h, 1, MAX_SIDE) || !isInt(stride, 2 * w, 4 * MAX_SIDE) || typeof scale !== 'number' || !(scale > 0)) return this.#badHeader();
    const payload = stride * h;
    if (buf.length < 8 + hlen + payload) return false;
    buf.consume(8 + hlen);
    const data = readU16Image(buf.view().subarray(0, payload), w, h, stride);
    buf.consume(payload);
    const seq = header['seq'];
    const dts = header['device_ts_us'];
    this.#out.push({
      frame: { width: w, height: h, unitM: scale, data },
      ...(typeof seq === 'number' ? { seq } : {}),
      ...(typeof dts === 'number' ? { deviceTimeUs: dts } : {}),
      header,
      receivedAt: at,
    });
    this.#stats.frames++;
    return true;
  }

  #badHeader(): boolean {
    this.#stats.badHeaders++;
    this.#bad(1);
    return true;
  }

  #bad(n: number): void {
    this.#buf.consume(n);
    this.#stats.badBytes += n;
  }
}

/** Encodes one frame (sidecar side; the simulator's wire mode and tests use it). */
export function encodeZ16Frame(frame: DepthFrame, extra: Record<string, unknown> = {}): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ ...extra, w: frame.width, h: frame.height, depth_scale: frame.unitM }));
  const out = new Uint8Array(8 + header.length + frame.data.length * 2);
  out.set(Z16_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  writeU16Le(frame.data, out, 8 + header.length);
  return out;
}

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}
