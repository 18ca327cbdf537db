import type { BufferPool } from './buffer-pool.ts';
import type { Logger } from './logger.ts';
import type { AnySample, Modality, SampleKind } from './sample.ts';
import type { Clock, TimestampNs } from './time.ts';

/**
 * The two-level hardware seam (node-serialport's bindings-interface): a stateless
 * {@link DeviceDriver} lists and opens; the stateful {@link DeviceAdapter} it returns streams
 * samples and must be closed. No vendor type crosses this seam.
 */

/** One device a driver can see (serial port, V4L2 node, simulated unit…). */
export interface DeviceInfo {
  /** What to put in the source's options to open it (path, URL, index). */
  path: string;
  description: string;
  driver: string;
}

/** The result of `list()`: what was found, and why the search was incomplete if it was. */
export interface DeviceListing {
  devices: DeviceInfo[];
  /** Human-readable reasons a search could not run (e.g. "udevadm not found"). */
  problems: string[];
}

/** What a source promises about its stream, for planning (rates, memory, latency). */
export interface SourceDescription {
  kind: SampleKind;
  /** The modality this source can feed. */
  modality: Modality;
  /** Nominal samples per second (EEG: chunks per second; see `samplesPerChunk`). */
  nominalHz: number;
  /** Typical payload bytes per sample. */
  bytesPerSample: number;
  /** EEG: samples per channel in each chunk; the underlying sampling rate is nominalHz × this. */
  samplesPerChunk?: number;
  /** EEG: per-channel sampling rate. */
  rateHz?: number;
  channels?: number;
  /** Typical delay from time of validity to arrival, when known. */
  latencyNs?: bigint;
  /**
   * How `Sample.t` is to be obtained (DESIGN: device clocks are separate clock domains):
   * - `device`: `deviceT` is the device's own clock; the runtime maps it onto the host timeline
   *   with a ClockSync per source (lower envelope of arrivals, drift, resets) minus `latencyNs`;
   * - `arrival` (default): the driver stamped `t` from arrival time;
   * - `recorded`: replayed samples keep the stamps they were recorded with.
   */
  clock?: 'device' | 'arrival' | 'recorded';
}

/** Lifecycle events an adapter reports (the pipeline turns them into health and metrics). */
export type DeviceEvent =
  | { type: 'connected'; at: TimestampNs }
  | { type: 'disconnected'; at: TimestampNs; reason: string }
  | { type: 'error'; at: TimestampNs; error: unknown }
  | { type: 'bad-bytes'; at: TimestampNs; count: number };

export interface DeviceContext {
  sourceId: string;
  clock: Clock;
  log: Logger;
  /** Where big frame buffers come from (and go back to); absent: allocate. */
  pool?: BufferPool;
  onEvent?: (event: DeviceEvent) => void;
}

/** Counters every adapter keeps; drivers may add their own fields. */
export interface AdapterStats {
  samples: number;
  /** Samples the device or transport lost (sequence gaps, overruns). */
  dropped: number;
  /** Bytes a decoder skipped while resynchronising. */
  badBytes: number;
  reconnects: number;
}

export interface DeviceAdapter {
  readonly sourceId: string;
  /** Samples in arrival order. Ends when the adapter is closed (or the input ends, for files). */
  samples(): AsyncIterable<AnySample>;
  stats(): AdapterStats;
  /** Idempotent; pending `samples()` iteration ends. */
  close(): Promise<void>;
}

export interface DeviceDriver<O = unknown> {
  /** Registry key used in config (`driver: sim/cell`). */
  readonly name: string;
  /** Parses and defaults raw options; throws `ConfigError` naming the field. */
  parseOptions(raw: unknown, path: string): O;
  describe(options: O): SourceDescription;
  list(): Promise<DeviceListing>;
  open(options: O, ctx: DeviceContext): Promise<DeviceAdapter>;
}

/**
 * Sans-I/O decoder (foxglove/mcap's McapStreamReader, serialport parsers): feed bytes with their
 * arrival time, pull decoded items. No streams, timers or clocks inside; bad bytes are skipped,
 * counted in `stats().badBytes`, and never thrown.
 */
export interface FrameDecoder<T> {
  push(bytes: Uint8Array, receivedAt: TimestampNs): void;
  next(): T | undefined;
  stats(): { badBytes: number; frames: number };
}
