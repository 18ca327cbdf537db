import { readdir } from 'node:fs/promises';
import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import { FfmpegCameraAdapter } from './adapter.ts';
import { rawFrameBytes } from './ffmpeg-args.ts';
import { parseFfmpegCameraOptions, type FfmpegCameraOptions } from './options.ts';

/** `camera/ffmpeg`: V4L2 devices, RTSP streams, files and lavfi test patterns through Debian's ffmpeg. */
export const ffmpegCameraDriver: DeviceDriver<FfmpegCameraOptions> = {
  name: 'camera/ffmpeg',
  parseOptions: parseFfmpegCameraOptions,
  describe(o: FfmpegCameraOptions): SourceDescription {
    return {
      kind: 'image',
      modality: 'camera',
      nominalHz: o.fps,
      // MJPEG at ~1/10 of raw is the usual webcam ratio.
      bytesPerSample: o.output === 'mjpeg' ? Math.round(rawFrameBytes({ ...o, output: 'rgb24' }) / 10) : rawFrameBytes(o),
      // UVC readout + ffmpeg decode/convert: about one frame period.
      latencyNs: BigInt(Math.round(1e9 / o.fps)),
    };
  },
  async list(): Promise<DeviceListing> {
    const problems: string[] = [];
    let nodes: string[] = [];
    try {
      nodes = (await readdir('/dev')).filter((n) => /^video\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    } catch (err) {
      problems.push(`camera/ffmpeg: cannot read /dev (${err instanceof Error ? err.message : String(err)})`);
    }
    if (nodes.length === 0 && problems.length === 0) problems.push('camera/ffmpeg: no /dev/video* nodes (no V4L2 camera attached, or the container was started without --device /dev/video0)');
    return {
      // A UVC camera exposes a capture node and a metadata node; ffmpeg -list_formats tells them apart.
      devices: nodes.map((n) => ({ path: `/dev/${n}`, driver: 'camera/ffmpeg', description: `V4L2 device (check with: ffmpeg -f v4l2 -list_formats all -i /dev/${n})` })),
      problems,
    };
  },
  open(o: FfmpegCameraOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new FfmpegCameraAdapter(o, ctx);
    void a.start();
    return Promise.resolve(a);
  },
};
