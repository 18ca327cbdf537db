import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import { OusterAdapter } from './adapter.ts';
import { parseOusterOptions, type OusterOptions } from './options.ts';

/** `lidar/ouster`: OS0/OS1/OS2 over UDP with the sensor's metadata JSON. */
export const ousterDriver: DeviceDriver<OusterOptions> = {
  name: 'lidar/ouster',
  parseOptions: parseOusterOptions,
  describe(o: OusterOptions): SourceDescription {
    // 1024 × 32 beams, ~85 % returns, 22 bytes per point.
    return { kind: 'cloud', modality: 'lidar', nominalHz: o.rateHz, bytesPerSample: Math.round(1024 * 32 * 0.85 * 22), latencyNs: BigInt(Math.round(1e9 / o.rateHz)) + 2_000_000n };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({ devices: [], problems: ['lidar/ouster: UDP sensors cannot be enumerated; an Ouster announces itself by mDNS as os-<serial>.local and streams to its configured udp_dest (ports 7502/7503). Fetch its metadata JSON from http://<sensor>/api/v1/sensor/metadata.'] });
  },
  async open(o: OusterOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new OusterAdapter(o, ctx);
    await a.start(); // reads the metadata now (a bad file is a start-up error); packets are awaited in the background
    return a;
  },
};
