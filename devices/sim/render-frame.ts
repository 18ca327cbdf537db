import type { DepthFrame, ImageFrame, LaserScan, TimestampNs } from '../../src/core/index.ts';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { renderScan } from './lidar-renderer.ts';
import type { FactorOverrides, SimWorld } from './world.ts';

/** Frame payloads of the three frame sensors (EEG comes from a generator, see eeg-window.ts). */
export interface FramePayloads {
  camera: ImageFrame;
  depth: DepthFrame;
  lidar: LaserScan;
}
export type FrameSensor = keyof FramePayloads;

/** Depth unit of the Z16 frames: 1 mm, the RealSense default. */
export const DEPTH_UNIT_M = 0.001;
/** A LiDAR sweep takes 100 ms; moving things are sampled at its middle. */
const SWEEP_MID_NS = 50_000_000n;

/**
 * Renders the frame a sensor captures at host time `t` (its time of validity). `index` is the
 * device frame counter; it keys the LiDAR's per-bin noise (camera and depth noise key on `t`).
 * Pass `into` to reuse a payload buffer.
 */
export function renderFrame<S extends FrameSensor>(
  world: SimWorld,
  sensor: S,
  t: TimestampNs,
  index: number,
  options: { overrides?: FactorOverrides; into?: Uint8Array | Uint16Array | Float32Array } = {},
): FramePayloads[S] {
  const ov = options.overrides ?? {};
  if (sensor === 'lidar') {
    const into = options.into instanceof Float32Array ? options.into : undefined;
    const solids = world.lidarSolidsAt(t + SWEEP_MID_NS, ov);
    return renderScan(world.seed, world.layout, world.lidarStatic(), solids, index, into) as FramePayloads[S];
  }
  const scene = world.rgbdSceneAt(t, ov);
  if (sensor === 'camera') {
    const data = options.into instanceof Uint8Array ? options.into : new Uint8Array(WIDTH * HEIGHT * 3);
    world.rgbd().render(scene, t, { rgb: data });
    const frame: ImageFrame = { width: WIDTH, height: HEIGHT, format: 'rgb24', data };
    return frame as FramePayloads[S];
  }
  const data = options.into instanceof Uint16Array ? options.into : new Uint16Array(WIDTH * HEIGHT);
  world.rgbd().render(scene, t, { depth: data });
  const frame: DepthFrame = { width: WIDTH, height: HEIGHT, unitM: DEPTH_UNIT_M, data };
  return frame as FramePayloads[S];
}
