import type { FfmpegCameraOptions } from './options.ts';

/**
 * The ffmpeg command line for a camera source (sensor-protocols §5.1, verified with ffmpeg 5.1):
 * input by kind, then raw frames of exactly W·H·bpp bytes (`-f rawvideo`) or back-to-back JPEGs
 * (`-f mjpeg`; V4L2 MJPEG is copied with `mjpeg2jpeg`, which inserts the Huffman tables webcams
 * omit). `-nostats` keeps progress lines out of stderr; with `deviceClock`, `showinfo` prints one
 * `pts_time:` line per frame, in frame order.
 */
export function ffmpegArgs(o: FfmpegCameraOptions): string[] {
  const args = ['-hide_banner', '-nostats', '-loglevel', o.deviceClock ? 'info' : 'error'];
  switch (o.inputKind) {
    case 'v4l2':
      args.push('-f', 'v4l2', '-input_format', o.v4l2Format, '-video_size', `${o.width}x${o.height}`, '-framerate', String(o.fps));
      if (o.deviceClock) args.push('-copyts');
      args.push('-i', o.input);
      break;
    case 'rtsp':
      // TCP interleaving survives lossy Wi-Fi better than UDP; no input buffering for latency.
      args.push('-rtsp_transport', 'tcp', '-fflags', 'nobuffer', '-flags', 'low_delay');
      if (o.deviceClock) args.push('-copyts');
      args.push('-i', o.input);
      break;
    case 'file':
      if (o.realtime) args.push('-re');
      if (o.loop) args.push('-stream_loop', '-1');
      if (o.deviceClock) args.push('-copyts');
      args.push('-i', o.input);
      break;
    case 'lavfi':
      if (o.realtime) args.push('-re');
      args.push('-f', 'lavfi', '-i', o.input);
      break;
  }
  // V4L2 MJPEG to MJPEG: a stream copy (no decode). A copy cannot run filters, so no showinfo
  // there: `deviceClock` is off in that combination (options.ts).
  if (isMjpegCopy(o)) {
    args.push('-c:v', 'copy', '-bsf:v', 'mjpeg2jpeg', '-f', 'mjpeg', 'pipe:1');
    return args;
  }
  const filters: string[] = [];
  if (o.inputKind !== 'v4l2') filters.push(`fps=${o.fps}`);
  filters.push(`scale=${o.width}:${o.height}`);
  if (o.deviceClock) filters.push('showinfo');
  args.push('-vf', filters.join(','));
  if (o.output === 'mjpeg') args.push('-c:v', 'mjpeg', '-q:v', '5', '-f', 'mjpeg', 'pipe:1');
  else args.push('-f', 'rawvideo', '-pix_fmt', o.output === 'gray' ? 'gray' : 'rgb24', 'pipe:1');
  return args;
}

export function isMjpegCopy(o: Pick<FfmpegCameraOptions, 'output' | 'inputKind' | 'v4l2Format'>): boolean {
  return o.output === 'mjpeg' && o.inputKind === 'v4l2' && o.v4l2Format === 'mjpeg';
}

/** Bytes per raw frame (rgb24: 3, gray: 1 per pixel). */
export function rawFrameBytes(o: FfmpegCameraOptions): number {
  return o.width * o.height * (o.output === 'gray' ? 1 : 3);
}

/** `pts_time:` of a showinfo line (`[Parsed_showinfo_1 @ 0x…] n:   3 pts: … pts_time:12.3 …`). */
export function showinfoPtsTime(line: string): number | undefined {
  if (!line.includes('showinfo')) return undefined;
  const m = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.]+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}
