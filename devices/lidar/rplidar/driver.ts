import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import type { SerialPorts } from '../../transport/serial/serial-link.ts';
import { nodeSerialPorts } from '../../transport/serial/serial-transport.ts';
import { RplidarAdapter } from './adapter.ts';
import { parseRplidarOptions, type RplidarOptions } from './options.ts';

/** USB ids of the CP2102 bridge on Slamtec's RPLIDAR adapter board. */
const CP210X = { vid: '10c4', pid: 'ea60' };

export function createRplidarDriver(serial: SerialPorts): DeviceDriver<RplidarOptions> {
  return {
    name: 'lidar/rplidar',
    parseOptions: parseRplidarOptions,
    describe(o: RplidarOptions): SourceDescription {
      return { kind: 'scan', modality: 'lidar', nominalHz: o.rateHz, bytesPerSample: o.bins * 8, latencyNs: BigInt(Math.round(1e9 / o.rateHz)) };
    },
    async list(): Promise<DeviceListing> {
      const { ports, problems } = await serial.list();
      return {
        devices: ports.map((p) => ({
          path: p.path,
          driver: 'lidar/rplidar',
          description: p.vendorId?.toLowerCase() === CP210X.vid && p.productId?.toLowerCase() === CP210X.pid ? 'CP210x USB-UART (the RPLIDAR adapter board uses one)' : `serial port${p.manufacturer ? ` (${p.manufacturer})` : ''}`,
        })),
        problems,
      };
    },
    open(o: RplidarOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
      const a = new RplidarAdapter(o, ctx, serial);
      // Connect in the background: an absent device is a `missing` source that keeps retrying,
      // not a pipeline that cannot start.
      void a.start();
      return Promise.resolve(a);
    },
  };
}

export const rplidarDriver = createRplidarDriver(nodeSerialPorts);
