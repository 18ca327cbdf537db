import type { Modality, SampleKind } from '../../src/core/index.ts';
import { CHANNELS, EEG_RATE_HZ } from './eeg-profile.ts';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { BINS } from './lidar-renderer.ts';

/** The four simulated units of the cell (CONTRACT.md "Sensors"). */
export type SimSensor = 'camera' | 'depth' | 'lidar' | 'eeg';
export const SIM_SENSORS: readonly SimSensor[] = ['camera', 'depth', 'lidar', 'eeg'];

export interface SensorSpec {
  kind: SampleKind;
  modality: Modality;
  /** Device sampling grid (frames/s; EEG samples/s). */
  gridHz: number;
  /** Grid samples per delivered frame (EEG: 10 per chunk, 25 chunks/s). */
  frameSamples: number;
  /** From a frame's first grid instant until its data is complete. */
  durationNs: bigint;
  /** Hash key separating the devices' random streams. */
  deviceKey: number;
  /** Typical transport figures of the real device class, used when no `clock` option is given. */
  transport: { jitterMs: number; latencyMs: number };
  bytesPerSample: number;
  description: string;
}

export const EEG_CHUNK = 10;

export const SENSORS: Readonly<Record<SimSensor, SensorSpec>> = {
  camera: {
    kind: 'image', modality: 'camera', gridHz: 30, frameSamples: 1, durationNs: 0n, deviceKey: 0,
    // UVC over USB: frame readout + driver queueing; jitter from USB microframe scheduling.
    transport: { jitterMs: 2, latencyMs: 30 },
    bytesPerSample: WIDTH * HEIGHT * 3,
    description: 'simulated overhead RGB camera, 640x480 rgb24 @ 30 Hz',
  },
  depth: {
    kind: 'depth', modality: 'depth', gridHz: 30, frameSamples: 1, durationNs: 0n, deviceKey: 1,
    transport: { jitterMs: 2, latencyMs: 25 },
    bytesPerSample: WIDTH * HEIGHT * 2,
    description: 'simulated overhead depth camera, 640x480 Z16 (mm) @ 30 Hz',
  },
  lidar: {
    kind: 'scan', modality: 'lidar', gridHz: 10, frameSamples: 1, durationNs: 100_000_000n, deviceKey: 2,
    // A sweep is complete one revolution after it starts; serial link adds little.
    transport: { jitterMs: 1, latencyMs: 5 },
    bytesPerSample: BINS * 4,
    description: 'simulated planar LiDAR, 360 x 1 deg @ 10 Hz, 0.2 m above the floor',
  },
  eeg: {
    kind: 'eeg', modality: 'eeg', gridHz: EEG_RATE_HZ, frameSamples: EEG_CHUNK,
    durationNs: BigInt(((EEG_CHUNK - 1) * 1e9) / EEG_RATE_HZ), deviceKey: 3,
    // FTDI latency timer (16 ms) dominates the jitter of the Cyton's USB dongle.
    transport: { jitterMs: 4, latencyMs: 12 },
    bytesPerSample: CHANNELS.length * EEG_CHUNK * 4,
    description: 'simulated 8-channel EEG headset (Cyton-like), 250 Hz, 10-sample chunks',
  },
};
