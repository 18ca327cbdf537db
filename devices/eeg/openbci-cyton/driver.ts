import type { DeviceAdapter, DeviceContext, DeviceDriver, DeviceListing, SourceDescription } from '../../../src/core/index.ts';
import type { SerialPorts } from '../../transport/serial/serial-link.ts';
import { nodeSerialPorts } from '../../transport/serial/serial-transport.ts';
import { CytonAdapter } from './adapter.ts';
import { parseCytonOptions, type CytonOptions } from './options.ts';

/** USB ids of the OpenBCI dongle's FTDI FT231X. */
const FTDI_VID = '0403';
const FT231X_PID = '6015';

/** `eeg/openbci-cyton` over a given serial implementation (tests and the simulator pass the mock). */
export function createCytonDriver(serial: SerialPorts): DeviceDriver<CytonOptions> {
  return {
    name: 'eeg/openbci-cyton',
    parseOptions: parseCytonOptions,
    describe(o: CytonOptions): SourceDescription {
      const rateHz = o.channels === 16 ? 125 : 250;
      return {
        kind: 'eeg',
        modality: 'eeg',
        nominalHz: rateHz / o.samplesPerChunk,
        bytesPerSample: o.channels * o.samplesPerChunk * 4,
        samplesPerChunk: o.samplesPerChunk,
        rateHz,
        channels: o.channels,
        // FTDI latency timer (16 ms) + radio link: packets arrive in bursts a few tens of ms late.
        latencyNs: 20_000_000n,
      };
    },
    async list(): Promise<DeviceListing> {
      const { ports, problems } = await serial.list();
      return {
        devices: ports.map((p) => ({
          path: p.path,
          driver: 'eeg/openbci-cyton',
          description:
            p.vendorId?.toLowerCase() === FTDI_VID && p.productId?.toLowerCase() === FT231X_PID
              ? `OpenBCI USB dongle (FTDI FT231X${p.serialNumber ? `, serial ${p.serialNumber}` : ''})`
              : `serial port${p.manufacturer ? ` (${p.manufacturer})` : ''}`,
        })),
        problems,
      };
    },
    open(o: CytonOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
      const a = new CytonAdapter(o, ctx, serial);
      // Connect in the background: an absent device is a `missing` source that keeps retrying,
      // not a pipeline that cannot start.
      void a.start();
      return Promise.resolve(a);
    },
  };
}

export const openbciCytonDriver = createCytonDriver(nodeSerialPorts);
