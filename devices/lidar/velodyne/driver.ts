import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import { VelodyneAdapter } from './adapter.ts';
import { parseVelodyneOptions, type VelodyneOptions } from './options.ts';

/**
 * `lidar/velodyne`: VLP-16 / HDL-32E over UDP (data 2368, position 8308). Nothing to enumerate —
 * the sensor sends to whatever host its web page names — so `list()` says how to find one instead.
 */
export const velodyneDriver: DeviceDriver<VelodyneOptions> = {
  name: 'lidar/velodyne',
  parseOptions: parseVelodyneOptions,
  describe(o: VelodyneOptions): SourceDescription {
    const hz = o.rpm / 60;
    // VLP-16 single return: 754 packets/s × 384 channels, ~90 % returns in a typical room.
    const points = (754 * 384 * 0.9) / hz;
    return {
      kind: o.output === 'cloud' ? 'cloud' : 'scan',
      modality: 'lidar',
      nominalHz: hz,
      bytesPerSample: o.output === 'cloud' ? Math.round(points * (12 + 4 + 4 + 2)) : o.scanBins * 8,
      // A revolution is complete one period after it starts, plus the packet and socket delay.
      latencyNs: BigInt(Math.round(1e9 / hz)) + 2_000_000n,
    };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({
      devices: [],
      problems: ['lidar/velodyne: UDP sensors cannot be enumerated; a Velodyne streams to the destination IP set on its web page (default 255.255.255.255, port 2368). Check with `tcpdump -n udp port 2368`.'],
    });
  },
  open(o: VelodyneOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new VelodyneAdapter(o, ctx);
    void a.start(); // UDP: waiting for the first packet must not block the pipeline's start-up
    return Promise.resolve(a);
  },
};
