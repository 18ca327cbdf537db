import type { TimestampNs } from '../../src/core/index.ts';
import { eegWindowAt, type EegWindow, type EegWindowOptions } from './eeg-window.ts';
import { renderFrame, type FramePayloads, type FrameSensor } from './render-frame.ts';
import type { DeviceOverrides, FactorOverrides, SimWorld } from './world.ts';

export interface CapturedFrame<P> {
  /** Device frame counter. */
  index: number;
  /** Host capture time (time of validity). */
  t: TimestampNs;
  deviceT: bigint;
  payload: P;
}

/**
 * The newest frame of `sensor` captured at or before `t` on its clock domain (what a `latest`
 * alignment policy hands over, ignoring transport delay), rendered by the same code the driver
 * uses. Frames lost to `device.dropout` are skipped.
 */
export function latestFrame<S extends FrameSensor>(
  world: SimWorld,
  sensor: S,
  t: TimestampNs,
  options: { overrides?: FactorOverrides; device?: DeviceOverrides; into?: Uint8Array | Uint16Array | Float32Array } = {},
): CapturedFrame<FramePayloads[S]> {
  const clock = world.clock(sensor, options.device);
  let k = clock.frameAtOrBefore(t);
  while (clock.dropped(k)) k--;
  const tc = clock.captureTime(k);
  return { index: k, t: tc, deviceT: clock.deviceTime(k), payload: renderFrame(world, sensor, tc, k, options) };
}

export interface Observation {
  t: TimestampNs;
  camera: CapturedFrame<FramePayloads['camera']>;
  depth: CapturedFrame<FramePayloads['depth']>;
  lidar: CapturedFrame<FramePayloads['lidar']>;
  eeg: EegWindow;
}

export interface ObserveOptions {
  overrides?: FactorOverrides;
  device?: Partial<Record<FrameSensor | 'eeg', DeviceOverrides>>;
  eeg?: Omit<EegWindowOptions, 'overrides' | 'device'>;
  /** Reusable payload buffers (the dataset exporter renders thousands of frames). */
  buffers?: { camera?: Uint8Array; depth?: Uint16Array; lidar?: Float32Array };
}

/** All four sources as the runtime would see them at `t`: latest frames and the EEG window ending at t. */
export function observeAt(world: SimWorld, t: TimestampNs, options: ObserveOptions = {}): Observation {
  const ov = options.overrides;
  const dev = options.device ?? {};
  const b = options.buffers ?? {};
  return {
    t,
    camera: latestFrame(world, 'camera', t, { overrides: ov, device: dev.camera, into: b.camera }),
    depth: latestFrame(world, 'depth', t, { overrides: ov, device: dev.depth, into: b.depth }),
    lidar: latestFrame(world, 'lidar', t, { overrides: ov, device: dev.lidar, into: b.lidar }),
    eeg: eegWindowAt(world, t, { ...options.eeg, overrides: ov, device: dev.eeg }),
  };
}
