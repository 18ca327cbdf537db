/**
 * The seam between `sensorium inspect <capture>` (src/cli) and the decoders (devices/): the
 * composition root passes a map of readers in, so src/ never imports devices/ (STYLE.md 7, 15).
 * A reader is pure — bytes in, summary out — and refuses what it cannot read with DecodeError.
 */
export interface CaptureStreamSummary {
  /** Sample kind or record type: cloud, eeg, depth, image, imu, position, … */
  kind: string;
  /** Items in the stream (sweeps, frames, samples, packets). */
  count: number;
  /** Items per second (LiDAR: revolutions per second; EEG: the sampling rate). */
  rateHz: number;
  /** The first decoded values (EEG: first sample per channel in µV; LiDAR: x, y, z, intensity of the first point). */
  first: number[];
  /** LiDAR: points decoded in the whole capture (metres, range-filtered). */
  points?: number;
  /** LiDAR: the first point, metres, in the ROS sensor frame (x forward, y left, z up). */
  firstPoint?: [number, number, number];
  /** Anything else worth printing (hashes, channel names, device info). */
  [more: string]: unknown;
}

export interface CaptureSummary {
  /** e.g. "pcap/velodyne VLP-16", "edf/EDF+C", "ros1-bag/realsense". */
  format: string;
  streams: Record<string, CaptureStreamSummary>;
  /** Human-readable remarks (skipped records, assumptions made). */
  notes: string[];
}

export interface CaptureReadOptions {
  fileName: string;
  /** A sidecar file the format needs (Ouster: the sensor metadata JSON). */
  metadata?: Uint8Array;
}

export interface CaptureReader {
  /** Short name for messages ("lidar-pcap"). */
  readonly name: string;
  /** Whether this reader recognises the file from its first bytes (and name). */
  sniff(head: Uint8Array, fileName: string): boolean;
  /** Decodes the whole capture. Throws DecodeError when it cannot. */
  read(bytes: Uint8Array, options: CaptureReadOptions): CaptureSummary | Promise<CaptureSummary>;
}

/** Readers by name, tried in insertion order. */
export type CaptureReaders = ReadonlyMap<string, CaptureReader>;
