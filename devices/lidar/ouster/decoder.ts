import type { FrameDecoder } from '../../../src/core/device.ts';
import type { PointCloud } from '../../../src/core/sample.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { CloudBuilder } from '../../formats/cloud-builder.ts';
import type { OusterMetadata } from './metadata.ts';
import { parseLidarPacket, type OusterColumn } from './packet.ts';
import { makeXyzLut, type XyzLut } from './xyz-lut.ts';

export interface OusterFrame {
  frameId: number;
  /** Points with a return (range > 0) from valid columns, sensor frame, metres; ring 0 = lowest beam. */
  cloud: PointCloud;
  /** Sensor clock (ns, internal or PTP) of the first and last valid column. */
  firstColumnNs: bigint;
  lastColumnNs: bigint;
  firstReceivedAt: TimestampNs;
  lastReceivedAt: TimestampNs;
  /** Valid columns seen, of `metadata.width` (a frame with lost packets has fewer). */
  columns: number;
}

export interface OusterDecoderStats {
  badBytes: number;
  frames: number;
  packets: number;
  badPackets: number;
  /** Columns flagged invalid by the sensor (status bit). */
  invalidColumns: number;
}

/**
 * Sans-I/O Ouster lidar decoder: push one UDP payload (port 7502) at a time, pull one frame per
 * `frame_id`. The metadata fixes the packet profile and beam geometry; a datagram whose size does not
 * match it is counted as bad, never thrown. A frame is emitted when a packet of another frame
 * arrives (or on `flush()`), so lost packets shrink a frame rather than merge two.
 */
export class OusterDecoder implements FrameDecoder<OusterFrame> {
  readonly #m: OusterMetadata;
  readonly #lut: XyzLut;
  readonly #cloud = new CloudBuilder();
  readonly #out: OusterFrame[] = [];
  #frameId = -1;
  #first = 0n;
  #last = 0n;
  #firstAt: TimestampNs = 0n;
  #lastAt: TimestampNs = 0n;
  #columns = 0;
  #stats: OusterDecoderStats = { badBytes: 0, frames: 0, packets: 0, badPackets: 0, invalidColumns: 0 };

  constructor(metadata: OusterMetadata) {
    this.#m = metadata;
    this.#lut = makeXyzLut(metadata);
  }

  push(datagram: Uint8Array, receivedAt: TimestampNs): void {
    const cols = parseLidarPacket(datagram, this.#m);
    if (!cols) {
      this.#stats.badPackets++;
      this.#stats.badBytes += datagram.length;
      return;
    }
    this.#stats.packets++;
    for (const col of cols) this.#column(col, receivedAt);
  }

  next(): OusterFrame | undefined {
    return this.#out.shift();
  }

  flush(): void {
    if (this.#columns > 0) this.#emit();
    this.#frameId = -1;
  }

  stats(): OusterDecoderStats {
    return { ...this.#stats };
  }

  #column(col: OusterColumn, at: TimestampNs): void {
    if (!col.valid) {
      this.#stats.invalidColumns++;
      return;
    }
    const W = this.#m.width;
    const H = this.#m.height;
    if (col.measurementId >= W) {
      this.#stats.invalidColumns++;
      return;
    }
    if (col.frameId !== this.#frameId) {
      if (this.#columns > 0) this.#emit();
      this.#frameId = col.frameId;
      this.#first = col.timestampNs;
      this.#firstAt = at;
      this.#columns = 0;
    }
    this.#columns++;
    this.#last = col.timestampNs;
    this.#lastAt = at;
    const dtS = Number(col.timestampNs - this.#first) / 1e9;
    const { direction: d, offset: o } = this.#lut;
    for (let u = 0; u < H; u++) {
      const r = col.range[u]!;
      if (r === 0) continue;
      const i = (col.measurementId * H + u) * 3;
      this.#cloud.add(d[i]! * r + o[i]!, d[i + 1]! * r + o[i + 1]!, d[i + 2]! * r + o[i + 2]!, col.reflectivity[u]!, dtS, H - 1 - u);
    }
  }

  #emit(): void {
    this.#stats.frames++;
    this.#out.push({
      frameId: this.#frameId,
      cloud: this.#cloud.take(),
      firstColumnNs: this.#first,
      lastColumnNs: this.#last,
      firstReceivedAt: this.#firstAt,
      lastReceivedAt: this.#lastAt,
      columns: this.#columns,
    });
    this.#columns = 0;
  }
}
