import type { FrameDecoder } from '../../../src/core/device.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { ByteAccumulator } from '../../formats/byte-accumulator.ts';
import { unpackCapsule, type Capsule, readCapsule } from './capsule.ts';
import type { RplidarMessage } from './messages.ts';
import { ANS, CAPSULE_BYTES, DESCRIPTOR_BYTES, NODE_BYTES, SYNC, SYNC2, type ResponseDescriptor } from './protocol.ts';

/** Lengths the SDK expects per data type; a descriptor claiming another length is noise. */
const EXPECTED_LENGTH: Readonly<Record<number, number>> = {
  [ANS.MEASUREMENT]: NODE_BYTES,
  [ANS.MEASUREMENT_CAPSULED]: CAPSULE_BYTES,
  [ANS.DEVINFO]: 20,
  [ANS.DEVHEALTH]: 3,
  [ANS.SAMPLE_RATE]: 4,
};
const MAX_OTHER_LENGTH = 256;
/**
 * Largest plausible angle step between consecutive nodes, degrees. An A1 at 10 Hz with 2000
 * samples/s advances ~2° per node; 30° leaves room for dropped bytes without accepting the
 * random angles a misaligned read produces.
 */
const MAX_STEP_DEG = 30;
/** Nodes that must line up (check bits + plausible steps) before a resync is trusted. */
const CONFIRM = 3;

export interface RplidarDecoderStats {
  badBytes: number;
  frames: number;
  descriptors: number;
  /** Nodes or capsules that failed their check bits / checksum (each costs one resync byte). */
  badRecords: number;
}

/**
 * Sans-I/O RPLIDAR response decoder. It needs no hint about which request was sent: every answer
 * starts with a descriptor naming its type and length. Single responses (info, health, sample rate)
 * come out whole; a scan stream comes out node by node — standard 5-byte nodes checked by their
 * S/!S and C bits, express capsules by sync nibbles and XOR checksum (a capsule's angles need the
 * next capsule, so its 32 nodes come out when that one arrives). A record that fails its check
 * costs one byte of resync (counted); a descriptor can never pass a node check (its second byte
 * has C = 0), so a new answer after STOP is found even mid-stream.
 */
export class RplidarDecoder implements FrameDecoder<RplidarMessage> {
  readonly #buf = new ByteAccumulator(1024);
  readonly #out: RplidarMessage[] = [];
  #current: ResponseDescriptor | undefined;
  /** In step with the node stream; when false, a node needs CONFIRM aligned successors to count. */
  #synced = true;
  #prevAngle: number | undefined;
  #prevCapsule: Capsule | undefined;
  #at: TimestampNs = 0n;
  #stats: RplidarDecoderStats = { badBytes: 0, frames: 0, descriptors: 0, badRecords: 0 };

  push(bytes: Uint8Array, receivedAt: TimestampNs): void {
    this.#buf.append(bytes);
    this.#at = receivedAt;
    this.#scan();
  }

  next(): RplidarMessage | undefined {
    return this.#out.shift();
  }

  /** After STOP/RESET: drop partial data and look for a descriptor again. */
  reset(): void {
    this.#buf.clear();
    this.#current = undefined;
    this.#prevCapsule = undefined;
    this.#synced = true;
    this.#prevAngle = undefined;
  }

  stats(): RplidarDecoderStats {
    return { ...this.#stats };
  }

  #scan(): void {
    const buf = this.#buf;
    for (;;) {
      const cur = this.#current;
      if (!cur) {
        if (!this.#readDescriptor()) return;
        continue;
      }
      if (buf.length < cur.length) return;
      if (cur.mode === 0) {
        this.#single(cur, buf.take(cur.length));
        this.#current = undefined;
        continue;
      }
      if (cur.dataType === ANS.MEASUREMENT) {
        if (!this.#node()) return;
      } else if (cur.dataType === ANS.MEASUREMENT_CAPSULED) {
        if (!this.#capsule()) return;
      } else {
        this.#out.push({ type: 'response', dataType: cur.dataType, payload: buf.take(cur.length), receivedAt: this.#at });
        this.#stats.frames++;
      }
    }
  }

  /** Looks for `A5 5A`; returns false when more bytes are needed. */
  #readDescriptor(): boolean {
    const buf = this.#buf;
    while (buf.length >= 2 && !(buf.at(0) === SYNC && buf.at(1) === SYNC2)) this.#bad(1);
    if (buf.length < DESCRIPTOR_BYTES) return false;
    const d = descriptorAt(buf.view(), 0);
    if (!d) {
      this.#bad(1);
      return true;
    }
    buf.consume(DESCRIPTOR_BYTES);
    this.#stats.descriptors++;
    this.#current = d;
    this.#prevCapsule = undefined;
    this.#synced = true;
    this.#prevAngle = undefined;
    return true;
  }

  #node(): boolean {
    const buf = this.#buf;
    if (buf.length < NODE_BYTES) return false;
    const view = buf.view();
    const a0 = nodeAngle(view, 0);
    let ok = a0 !== undefined && (this.#prevAngle === undefined || plausibleStep(this.#prevAngle, a0));
    if (ok && !this.#synced) {
      // Hunting: the standard node's check bits pass on ~1 in 5 random windows, and a misaligned
      // read of a real stream can pass for several nodes, so require CONFIRM nodes in a row whose
      // angles advance like a rotating head.
      if (buf.length < CONFIRM * NODE_BYTES) return false;
      let prev = a0 as number;
      for (let k = 1; k < CONFIRM && ok; k++) {
        const a = nodeAngle(view, k * NODE_BYTES);
        ok = a !== undefined && plausibleStep(prev, a);
        if (a !== undefined) prev = a;
      }
    }
    if (!ok) {
      if (this.#descriptorHere()) return true;
      this.#stats.badRecords++;
      this.#synced = false;
      this.#prevAngle = undefined;
      this.#bad(1);
      return true;
    }
    const b0 = view[0]!;
    const distQ2 = view[3]! | (view[4]! << 8);
    buf.consume(NODE_BYTES);
    this.#synced = true;
    this.#prevAngle = a0;
    this.#stats.frames++;
    this.#out.push({ type: 'node', start: (b0 & 1) === 1, quality: b0 >> 2, angleDeg: a0 as number, distanceMm: distQ2 / 4, receivedAt: this.#at });
    return true;
  }

  #capsule(): boolean {
    const buf = this.#buf;
    if (buf.length < CAPSULE_BYTES) return false;
    const c = readCapsule(buf.view(), 0);
    if (!c) {
      if (this.#descriptorHere()) return true;
      this.#stats.badRecords++;
      this.#bad(1);
      return true;
    }
    buf.consume(CAPSULE_BYTES);
    this.#stats.frames++;
    // A capsule flagged as the start of a scan has no predecessor to pair with (SDK _waitCapsuledNode).
    const prev = c.start ? undefined : this.#prevCapsule;
    if (prev) for (const n of unpackCapsule(prev, c)) this.#out.push({ type: 'node', ...n, receivedAt: this.#at });
    this.#prevCapsule = c;
    return true;
  }

  /** A new descriptor at the front (the host sent another request): switch to it. */
  #descriptorHere(): boolean {
    const buf = this.#buf;
    if (buf.at(0) !== SYNC || buf.at(1) !== SYNC2 || buf.length < DESCRIPTOR_BYTES) return false;
    if (!descriptorAt(buf.view(), 0)) return false;
    this.#current = undefined;
    return true;
  }

  #single(d: ResponseDescriptor, p: Uint8Array): void {
    const at = this.#at;
    this.#stats.frames++;
    if (d.dataType === ANS.DEVINFO) {
      const serial = Array.from(p.subarray(4, 20), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
      this.#out.push({ type: 'info', model: p[0]!, firmware: `${p[2]}.${String(p[1]).padStart(2, '0')}`, hardware: p[3]!, serial, receivedAt: at });
    } else if (d.dataType === ANS.DEVHEALTH) {
      this.#out.push({ type: 'health', status: p[0]!, errorCode: p[1]! | (p[2]! << 8), receivedAt: at });
    } else if (d.dataType === ANS.SAMPLE_RATE) {
      this.#out.push({ type: 'samplerate', standardUs: p[0]! | (p[1]! << 8), expressUs: p[2]! | (p[3]! << 8), receivedAt: at });
    } else {
      this.#out.push({ type: 'response', dataType: d.dataType, payload: p, receivedAt: at });
    }
  }

  #bad(n: number): void {
    this.#buf.consume(n);
    this.#stats.badBytes += n;
  }
}

/** Angle of the node at `o` if its check bits pass (S = !S inverted, C = 1) and it is below 360°. */
function nodeAngle(b: Uint8Array, o: number): number | undefined {
  const b0 = b[o]!;
  const b1 = b[o + 1]!;
  if (((b0 ^ (b0 >> 1)) & 1) !== 1 || (b1 & 1) !== 1) return undefined;
  const deg = ((b1 >> 1) | (b[o + 2]! << 7)) / 64;
  return deg < 360 ? deg : undefined;
}

function plausibleStep(prev: number, next: number): boolean {
  const d = (next - prev + 360) % 360;
  return d <= MAX_STEP_DEG || d >= 360 - 2; // forward, or sub-2° jitter back
}

function descriptorAt(b: Uint8Array, o: number): ResponseDescriptor | undefined {
  const v = (b[o + 2]! | (b[o + 3]! << 8) | (b[o + 4]! << 16) | (b[o + 5]! << 24)) >>> 0;
  const length = v & 0x3fffffff;
  const mode = v >>> 30;
  const dataType = b[o + 6]!;
  if (mode > 1 || length === 0) return undefined;
  const expected = EXPECTED_LENGTH[dataType];
  if (expected !== undefined ? length !== expected : length > MAX_OTHER_LENGTH) return undefined;
  return { length, mode, dataType };
}
