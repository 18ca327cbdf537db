import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import { Z16Adapter } from './adapter.ts';
import { parseZ16Options, type Z16Options } from './options.ts';

/** `depth/z16`: Z16 depth frames from a sidecar's stdout, a socket, or a recording. */
export const z16DepthDriver: DeviceDriver<Z16Options> = {
  name: 'depth/z16',
  parseOptions: parseZ16Options,
  describe(o: Z16Options): SourceDescription {
    return { kind: 'depth', modality: 'depth', nominalHz: o.fps, bytesPerSample: o.width * o.height * 2, latencyNs: BigInt(Math.round(1e9 / o.fps)) };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({
      devices: [],
      problems: ['depth/z16: depth cameras are reached through a sidecar (librealsense, depthai, Orbbec SDK) that writes DZ16 frames; there is nothing to enumerate from Node. RealSense bags play with depth/realsense-bag.'],
    });
  },
  open(o: Z16Options, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new Z16Adapter(o, ctx);
    // Live links connect in the background; a file must be readable now (a clear error at start).
    if (o.file) return a.start().then(() => a);
    void a.start();
    return Promise.resolve(a);
  },
};
