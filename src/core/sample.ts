import type { TimestampNs } from './time.ts';

/** The four model inputs Sensorium fuses. A source of any kind feeds exactly one modality. */
export type Modality = 'camera' | 'depth' | 'lidar' | 'eeg';
export const MODALITIES: readonly Modality[] = ['camera', 'depth', 'lidar', 'eeg'] as const;

/** Camera frame. `rgb24`/`gray8` are packed rows with no padding; `i420` is planar Y,U,V. */
export interface ImageFrame {
  width: number;
  height: number;
  format: 'rgb24' | 'i420' | 'gray8' | 'jpeg';
  data: Uint8Array;
}

/** 16-bit depth image (Z16, row-major). `0` means "no measurement", as on a RealSense. */
export interface DepthFrame {
  width: number;
  height: number;
  /** Metres per unit (RealSense default 0.001). */
  unitM: number;
  data: Uint16Array;
}

/**
 * A planar scan (RPLIDAR-like). `ranges[i]` is the range in metres at
 * `angleMin + i * angleIncrement` (radians, counter-clockwise, 0 = sensor +x). A missing return is
 * `0`, as RPLIDAR reports it.
 */
export interface LaserScan {
  angleMin: number;
  angleIncrement: number;
  rangeMin: number;
  rangeMax: number;
  ranges: Float32Array;
  intensities?: Float32Array;
}

/** A 3-D point cloud: `xyz` interleaved (metres, sensor frame), optional per-point attributes. */
export interface PointCloud {
  count: number;
  xyz: Float32Array;
  intensity?: Float32Array;
  /** Seconds relative to the sample's `t`, per point (spinning LiDARs). */
  timeOffset?: Float32Array;
  ring?: Uint16Array;
}

/**
 * A chunk of multichannel EEG in µV, **channel-major**: `data[c * n + i]` is channel `c`, sample
 * `i`, with `n = data.length / channels`. `firstSampleIndex` counts samples since the stream began
 * (gaps show up as jumps in it).
 */
export interface EegChunk {
  rateHz: number;
  channels: number;
  channelNames?: readonly string[];
  data: Float32Array;
  firstSampleIndex: number;
}

export interface PayloadByKind {
  image: ImageFrame;
  depth: DepthFrame;
  scan: LaserScan;
  cloud: PointCloud;
  eeg: EegChunk;
}

export type SampleKind = keyof PayloadByKind;

/**
 * One timestamped reading of one source. `t` is the **time of validity** on the host timeline
 * (start of exposure/sweep/chunk), separate from `receivedAt` (when the bytes reached us); `deviceT`
 * is the raw stamp in the device's own clock domain when it has one.
 */
export interface Sample<K extends SampleKind = SampleKind> {
  kind: K;
  sourceId: string;
  /** Per-source sequence number, +1 per sample emitted (gaps mean drops upstream). */
  seq: number;
  t: TimestampNs;
  /** End of validity for sweeps and windows (LiDAR revolution, EEG chunk). */
  tEnd?: TimestampNs;
  deviceT?: bigint;
  receivedAt: TimestampNs;
  payload: PayloadByKind[K];
}

export type AnySample = { [K in SampleKind]: Sample<K> }[SampleKind];

/** Number of samples per channel in an EEG chunk. */
export function eegLength(chunk: EegChunk): number {
  return chunk.channels === 0 ? 0 : chunk.data.length / chunk.channels;
}

/** The ArrayBuffers that carry a sample's payload (what a transfer to a worker moves). */
export function payloadBuffers(sample: AnySample): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (v: ArrayBufferView | undefined): void => {
    if (v && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
  };
  switch (sample.kind) {
    case 'image':
    case 'depth':
    case 'eeg':
      add(sample.payload.data);
      break;
    case 'scan':
      add(sample.payload.ranges);
      add(sample.payload.intensities);
      break;
    case 'cloud':
      add(sample.payload.xyz);
      add(sample.payload.intensity);
      add(sample.payload.timeOffset);
      add(sample.payload.ring);
      break;
  }
  return out;
}

/** Bytes held by a sample's payload arrays (for buffer-memory accounting). */
export function payloadBytes(sample: AnySample): number {
  switch (sample.kind) {
    case 'image':
    case 'depth':
    case 'eeg':
      return sample.payload.data.byteLength;
    case 'scan':
      return sample.payload.ranges.byteLength + (sample.payload.intensities?.byteLength ?? 0);
    case 'cloud':
      return (
        sample.payload.xyz.byteLength +
        (sample.payload.intensity?.byteLength ?? 0) +
        (sample.payload.timeOffset?.byteLength ?? 0) +
        (sample.payload.ring?.byteLength ?? 0)
      );
  }
}
