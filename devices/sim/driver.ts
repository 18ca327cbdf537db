import { SystemClock, type DeviceAdapter, type DeviceContext, type DeviceDriver, type DeviceListing, type SourceDescription } from '../../src/core/index.ts';
import { SimAdapter } from './adapter.ts';
import { CHANNELS, EEG_RATE_HZ } from './eeg-profile.ts';
import { parseSimCellOptions, type SimCellOptions } from './options.ts';
import { RenderThread } from './render-thread.ts';
import { SENSORS, SIM_SENSORS } from './sensors.ts';
import { SimWireAdapter } from './wire/wire-adapter.ts';
import { SimWorld } from './world.ts';

/**
 * `sim/cell`: the reference scenario's human–robot cell as four simulated devices (CONTRACT.md).
 * One source per sensor; sources with the same `seed` share one ground truth, so a camera, a depth
 * unit, a LiDAR and an EEG headset opened with seed 7 observe the same cell.
 */
export const simCellDriver: DeviceDriver<SimCellOptions> = {
  name: 'sim/cell',

  parseOptions: parseSimCellOptions,

  describe(options: SimCellOptions): SourceDescription {
    const spec = SENSORS[options.sensor];
    const clock = new SimWorld({ seed: options.seed, lineHz: options.lineHz }).clock(options.sensor, { clock: options.clock });
    const d: SourceDescription = {
      kind: spec.kind,
      modality: spec.modality,
      nominalHz: spec.gridHz / spec.frameSamples,
      bytesPerSample: spec.bytesPerSample,
      latencyNs: clock.nominalLatencyNs(),
      // Every simulated device stamps frames with its own (drifting, offset) clock. In wire mode
      // the real decoders stamp what the wire format carries (e.g. a Cyton has only a counter).
      clock: options.wire ? 'arrival' : 'device',
    };
    if (options.sensor === 'eeg') Object.assign(d, { samplesPerChunk: spec.frameSamples, rateHz: EEG_RATE_HZ, channels: CHANNELS.length });
    return d;
  },

  list(): Promise<DeviceListing> {
    return Promise.resolve({
      devices: SIM_SENSORS.map((s) => ({ path: s, description: SENSORS[s].description, driver: 'sim/cell' })),
      problems: [],
    });
  },

  async open(options: SimCellOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const world = new SimWorld({ seed: options.seed, lineHz: options.lineHz });
    const clock = world.clock(options.sensor, { clock: options.clock, dropout: options.dropout });
    const sensor = options.sensor;
    if ((sensor === 'camera' || sensor === 'depth') && !options.wire && (options.renderThread ?? ctx.clock instanceof SystemClock)) {
      // Live: the frames render on their own thread, as a real camera's would, off the event loop.
      const renderer = await RenderThread.start(sensor, { seed: options.seed, lineHz: options.lineHz }, ctx.pool);
      return new SimAdapter(world, options, ctx, clock, undefined, renderer);
    }
    // Build the static background now (tens of ms), not inside the first frame's deadline.
    if (sensor === 'camera' || sensor === 'depth') world.rgbd().background();
    if (options.wire) return SimWireAdapter.open(world, options, ctx, clock);
    return new SimAdapter(world, options, ctx, clock);
  },
};
