import { OptionReader } from '../../config/option-reader.ts';

export type FfmpegInputKind = 'v4l2' | 'rtsp' | 'file' | 'lavfi';
export type FfmpegOutput = 'rgb24' | 'gray' | 'mjpeg';

/** Options of `camera/ffmpeg`, after parsing and defaulting. */
export interface FfmpegCameraOptions {
  /** /dev/video0, rtsp://…, a file path, or a lavfi graph (testsrc=size=640x480:rate=30). */
  input: string;
  /** Default from `input`: /dev/* → v4l2, rtsp(s):// → rtsp, else file. lavfi must be explicit. */
  inputKind: FfmpegInputKind;
  width: number;
  height: number;
  fps: number;
  /**
   * 'rgb24' (default), 'gray' (8-bit) or 'mjpeg' (JPEG pass-through: smaller to record; the
   * inference worker decodes the frames a fusion uses, in JavaScript, ~20–50 ms for 640×480).
   */
  output: FfmpegOutput;
  /** V4L2 capture format. Default 'mjpeg' (what USB webcams deliver at high resolutions). */
  v4l2Format: string;
  /** Files: play at their native rate (`-re`). Default true. */
  realtime: boolean;
  /** Files: loop forever (`-stream_loop -1`). Default false: the source ends with the file. */
  loop: boolean;
  /**
   * Stamp `deviceT` from the capture timestamps ffmpeg sees (`-copyts` + `showinfo`'s pts_time;
   * V4L2: the kernel's CLOCK_MONOTONIC buffer time). Default true for v4l2 (unless MJPEG is
   * stream-copied), false otherwise.
   */
  deviceClock: boolean;
  /** Known capture-to-arrival delay subtracted from the arrival time to get `t`. Default 0 ms. */
  latencyMs: number;
  /** No frame for this long → ffmpeg is restarted. Default max(2 s, 10 frame periods). */
  stallMs: number;
  ffmpeg: string;
}

export function inferInputKind(input: string): FfmpegInputKind {
  if (input.startsWith('/dev/')) return 'v4l2';
  if (/^rtsps?:\/\//.test(input)) return 'rtsp';
  return 'file';
}

export function parseFfmpegCameraOptions(raw: unknown, path: string): FfmpegCameraOptions {
  const r = new OptionReader(raw, path);
  const input = r.string('input');
  const inputKind = r.oneOf('inputKind', inferInputKind(input), ['v4l2', 'rtsp', 'file', 'lavfi'] as const);
  const fps = r.number('fps', 30, 0.1, 1000);
  const width = r.int('width', 640, 16, 8192);
  const height = r.int('height', 480, 16, 8192);
  if (width % 2 !== 0 || height % 2 !== 0) throw r.error('width', 'even width and height (chroma subsampling)', `${width}x${height}`);
  const o: FfmpegCameraOptions = {
    input,
    inputKind,
    width,
    height,
    fps,
    output: r.oneOf('output', 'rgb24', ['rgb24', 'gray', 'mjpeg'] as const),
    v4l2Format: r.string('v4l2Format', 'mjpeg'),
    realtime: r.bool('realtime', true),
    loop: r.bool('loop', false),
    deviceClock: false,
    latencyMs: r.number('latencyMs', 0, 0, 10_000),
    stallMs: r.int('stallMs', Math.max(2000, Math.round(10_000 / fps)), 100, 600_000),
    ffmpeg: r.string('ffmpeg', 'ffmpeg'),
  };
  // A V4L2 MJPEG stream copy cannot run showinfo (no decode), so no device clock there.
  const copy = o.output === 'mjpeg' && inputKind === 'v4l2' && o.v4l2Format === 'mjpeg';
  o.deviceClock = r.bool('deviceClock', inputKind === 'v4l2' && !copy);
  if (o.deviceClock && copy) throw r.error('deviceClock', 'false with output mjpeg from a V4L2 MJPEG camera (a stream copy has no per-frame timestamps to print)', true);
  r.done('camera/ffmpeg');
  return o;
}
