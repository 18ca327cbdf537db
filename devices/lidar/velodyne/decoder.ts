import type { FrameDecoder } from '../../../src/core/device.ts';
import type { PointCloud } from '../../../src/core/sample.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { VELODYNE_CALIBRATIONS, packetSpanUs, type VelodyneCalibration, type VelodyneModel } from './calibration.ts';
import { CloudBuilder } from '../../formats/cloud-builder.ts';
import { BLOCKS, BLOCK_BYTES, CHANNELS_PER_BLOCK, RETURN_MODES, isDataPacket, packetTimeUs } from './packet.ts';

/** One revolution (or the partial one at the start or end of a stream). */
export interface VelodyneSweep {
  /** Points in the ROS sensor frame (x forward, y left, z up; metres), as @foxglove/velodyne-cloud and ros-drivers emit them. */
  cloud: PointCloud;
  model: VelodyneModel;
  returnMode: 'strongest' | 'last' | 'dual' | 'unknown';
  /** Device time of the first firing, µs, unwrapped across hours (µs past the first hour seen). */
  deviceTimeUs: number;
  /** Device time of the last firing, µs (same epoch). */
  deviceEndUs: number;
  firstReceivedAt: TimestampNs;
  lastReceivedAt: TimestampNs;
  packets: number;
  /** False for the partial sweep at the start of a stream and for one cut short by `flush()`. */
  complete: boolean;
}

export interface VelodyneDecoderOptions {
  /**
   * Default `'auto'`: product byte 0x22 means VLP-16; 0x21 is ambiguous (HDL-32E, or a VLP-16 with
   * firmware before 3.0.29 that never set the byte — the real capture in test/fixtures is one), so
   * the spacing of the first two packet timestamps decides (1327 µs VLP-16, 553 µs HDL-32E).
   */
  model?: VelodyneModel | 'auto';
  /** Default from the model (0.4 m, as ros-drivers and @foxglove/velodyne-cloud). */
  minRangeM?: number;
  /** Default from the model (100 m). */
  maxRangeM?: number;
  /**
   * Default `'per-firing'`: each channel's azimuth is interpolated by its firing time within the
   * block (VLP-16 manual §9.5, as ros-drivers does). `'per-block'` uses the block azimuth for every
   * channel, which is what @foxglove/velodyne-cloud does (it interpolates only to filter).
   */
  azimuth?: 'per-firing' | 'per-block';
}

export interface VelodyneDecoderStats {
  badBytes: number;
  frames: number;
  packets: number;
  /** Datagrams that were not data packets (wrong size, bad block flags) or of an unsupported model. */
  badPackets: number;
  /** Gaps in device time larger than 1.5 packets (lost datagrams). */
  lostPackets: number;
}

const HOUR_US = 3_600_000_000;
const DEG = Math.PI / 18000; // raw azimuth (0.01°) → radians

/**
 * Sans-I/O VLP-16 / HDL-32E decoder: push one UDP payload at a time, pull one {@link VelodyneSweep}
 * per revolution (cut where the block azimuth wraps through 0). Never throws; datagrams that are
 * not data packets are counted in `badPackets`/`badBytes` and skipped.
 */
export class VelodyneDecoder implements FrameDecoder<VelodyneSweep> {
  readonly #o: Required<Omit<VelodyneDecoderOptions, 'minRangeM' | 'maxRangeM'>> & { minRangeM?: number; maxRangeM?: number };
  #cal: VelodyneCalibration | undefined;
  #held: { p: Uint8Array; at: TimestampNs }[] = [];
  readonly #out: VelodyneSweep[] = [];
  readonly #cloud = new CloudBuilder();
  #stats: VelodyneDecoderStats = { badBytes: 0, frames: 0, packets: 0, badPackets: 0, lostPackets: 0 };
  // Sweep state.
  #prevAz = -1;
  #sweepStartUs = 0;
  #sweepLastUs = 0;
  #sweepFirstAt: TimestampNs = 0n;
  #sweepLastAt: TimestampNs = 0n;
  #sweepPackets = 0;
  #sweepStarted = false;
  #sawWrap = false;
  #returnMode: VelodyneSweep['returnMode'] = 'unknown';
  // Device clock unwrap.
  #lastUs = -1;
  #hourBase = 0;

  constructor(options: VelodyneDecoderOptions = {}) {
    this.#o = { model: options.model ?? 'auto', azimuth: options.azimuth ?? 'per-firing', ...(options.minRangeM !== undefined ? { minRangeM: options.minRangeM } : {}), ...(options.maxRangeM !== undefined ? { maxRangeM: options.maxRangeM } : {}) };
    if (this.#o.model !== 'auto') this.#cal = VELODYNE_CALIBRATIONS[this.#o.model];
  }

  /** The model in use, once known. */
  get model(): VelodyneModel | undefined {
    return this.#cal?.model;
  }

  push(datagram: Uint8Array, receivedAt: TimestampNs): void {
    if (!isDataPacket(datagram)) {
      this.#stats.badPackets++;
      this.#stats.badBytes += datagram.length;
      return;
    }
    if (!this.#cal) {
      const product = datagram[1205];
      if (product === 0x22) this.#cal = VELODYNE_CALIBRATIONS['VLP-16'];
      else if (product !== 0x21) {
        // 0x24 Puck Hi-Res, 0x28 VLP-32C, 0xA1 VLS-128…: other laser tables, not decoded here.
        this.#stats.badPackets++;
        this.#stats.badBytes += datagram.length;
        return;
      } else {
        this.#held.push({ p: new Uint8Array(datagram), at: receivedAt }); // a copy (Buffer#slice would alias)
        if (this.#held.length < 2) return;
        const [a, b] = this.#held as [{ p: Uint8Array; at: TimestampNs }, { p: Uint8Array; at: TimestampNs }];
        const dt = (packetTimeUs(b.p) - packetTimeUs(a.p) + HOUR_US) % HOUR_US;
        this.#cal = VELODYNE_CALIBRATIONS[inferModel(dt)];
        this.#held = [];
        this.#decode(a.p, a.at);
        this.#decode(b.p, b.at);
        return;
      }
    }
    this.#decode(datagram, receivedAt);
  }

  next(): VelodyneSweep | undefined {
    return this.#out.shift();
  }

  /** Ends the stream: the sweep in progress is emitted (marked incomplete). */
  flush(): void {
    if (!this.#cal && this.#held.length > 0) {
      // One lone 0x21 packet: nothing to compare with; VLP-16 is the common case.
      this.#cal = VELODYNE_CALIBRATIONS['VLP-16'];
      for (const h of this.#held.splice(0)) this.#decode(h.p, h.at);
    }
    if (this.#sweepStarted && this.#cloud.count > 0) this.#emit(false);
    this.#sweepStarted = false;
  }

  stats(): VelodyneDecoderStats {
    return { ...this.#stats };
  }

  #decode(p: Uint8Array, at: TimestampNs): void {
    const cal = this.#cal as VelodyneCalibration;
    this.#stats.packets++;
    this.#returnMode = RETURN_MODES[p[1204]!] ?? 'unknown';
    const dual = this.#returnMode === 'dual';
    const rawUs = packetTimeUs(p);
    if (this.#lastUs >= 0) {
      if (rawUs + HOUR_US / 2 < this.#lastUs) this.#hourBase += HOUR_US;
      const gap = rawUs - this.#lastUs;
      const span = packetSpanUs(cal.model) * (dual ? 1 : 1);
      if (gap > 1.5 * span && gap < HOUR_US / 2) this.#stats.lostPackets += Math.round(gap / span) - 1;
    }
    this.#lastUs = rawUs;
    const packetUs = this.#hourBase + rawUs;
    const minR = this.#o.minRangeM ?? cal.minRangeM;
    const maxR = this.#o.maxRangeM ?? cal.maxRangeM;
    const perFiring = this.#o.azimuth === 'per-firing';
    const step = dual ? 2 : 1; // dual return: blocks come in pairs sharing one azimuth
    let lastDiff = 0;
    let packetCounted = false;
    for (let b = 0; b < BLOCKS; b++) {
      const base = b * BLOCK_BYTES;
      const az = p[base + 2]! | (p[base + 3]! << 8);
      if (az >= 36000) continue; // corrupt azimuth: skip the block rather than guess
      // Azimuth advance to the next firing block, for per-channel interpolation (ros-drivers rawdata.cc).
      let diff = lastDiff;
      if (b + step < BLOCKS) {
        const nb = (b + step) * BLOCK_BYTES;
        const next = p[nb + 2]! | (p[nb + 3]! << 8);
        const raw = next - az;
        diff = raw < 0 ? lastDiff || (raw + 36000) % 36000 : raw;
        if (diff > 1000) diff = lastDiff; // more than 10° per block is not rotation, it is damage
        lastDiff = diff;
      }
      // Revolution boundary: the azimuth wrapped through 0 since the previous block.
      if (this.#prevAz >= 0 && az < this.#prevAz && this.#prevAz - az > 18000) {
        if (this.#sweepStarted && this.#cloud.count > 0) this.#emit(this.#sawWrap);
        this.#sweepStarted = false;
        this.#sawWrap = true;
      }
      this.#prevAz = az;
      const blockUs = packetUs + Math.floor(b / step) * cal.blockUs;
      if (!this.#sweepStarted) {
        this.#sweepStarted = true;
        this.#sweepStartUs = blockUs;
        this.#sweepFirstAt = at;
        this.#sweepPackets = 0;
        packetCounted = false;
      }
      if (!packetCounted) {
        this.#sweepPackets++;
        packetCounted = true;
      }
      this.#sweepLastUs = blockUs + cal.channelUs[CHANNELS_PER_BLOCK - 1]!;
      this.#sweepLastAt = at;
      for (let k = 0; k < CHANNELS_PER_BLOCK; k++) {
        const o = base + 4 + 3 * k;
        const raw = p[o]! | (p[o + 1]! << 8);
        if (raw === 0) continue;
        const d = raw * cal.distanceUnitM;
        if (d < minR || d > maxR) continue;
        const laser = k % cal.lasers;
        const cu = cal.channelUs[k]!;
        const a = (perFiring ? az + (diff * cu) / cal.blockUs : az) * DEG;
        const xy = d * cal.cosElevation[laser]!;
        // Manual frame x = xy·sin a, y = xy·cos a; ROS frame = (y, −x, z).
        this.#cloud.add(xy * Math.cos(a), -xy * Math.sin(a), d * cal.sinElevation[laser]!, p[o + 2]!, (blockUs + cu - this.#sweepStartUs) / 1e6, cal.ring[laser]!);
      }
    }
  }

  #emit(complete: boolean): void {
    this.#stats.frames++;
    this.#out.push({
      cloud: this.#cloud.take(),
      model: (this.#cal as VelodyneCalibration).model,
      returnMode: this.#returnMode,
      deviceTimeUs: this.#sweepStartUs,
      deviceEndUs: this.#sweepLastUs,
      firstReceivedAt: this.#sweepFirstAt,
      lastReceivedAt: this.#sweepLastAt,
      packets: this.#sweepPackets,
      complete,
    });
  }
}

/** Picks the model whose packet spacing explains the gap between two packets best. */
export function inferModel(gapUs: number): VelodyneModel {
  const fit = (m: VelodyneModel): number => {
    const n = Math.max(1, Math.round(gapUs / packetSpanUs(m)));
    return Math.abs(gapUs - n * packetSpanUs(m)) / n;
  };
  return fit('HDL-32E') < fit('VLP-16') ? 'HDL-32E' : 'VLP-16';
}
