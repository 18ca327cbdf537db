import { OptionReader } from '../../config/option-reader.ts';

/** Options of `depth/realsense-bag`. */
export interface RealSenseBagOptions {
  /** A librealsense recording (.bag). */
  path: string;
  /** 'depth' (Z16 → DepthFrame, default) or 'color' (rgb8 → ImageFrame). */
  stream: 'depth' | 'color';
  /** Play again from the start when it ends. Default false (the source ends). */
  loop: boolean;
  /** Frames per second for planning when the bag has too few frames to tell. Default 30. */
  fps: number;
}

export function parseRealSenseBagOptions(raw: unknown, path: string): RealSenseBagOptions {
  const r = new OptionReader(raw, path);
  const o: RealSenseBagOptions = {
    path: r.string('path'),
    stream: r.oneOf('stream', 'depth', ['depth', 'color'] as const),
    loop: r.bool('loop', false),
    fps: r.number('fps', 30, 0.1, 1000),
  };
  r.done('depth/realsense-bag');
  return o;
}
