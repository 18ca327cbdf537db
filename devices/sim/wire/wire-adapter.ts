import type { AdapterStats, AnySample, DeviceAdapter, DeviceContext } from '../../../src/core/index.ts';
import { SimAdapter } from '../adapter.ts';
import type { ClockDomain } from '../clock-domain.ts';
import type { SimCellOptions } from '../options.ts';
import type { SimWorld } from '../world.ts';
import { cytonWire, velodyneWire, z16Wire, type Wire } from './transports.ts';

/**
 * `sim/cell` with `wire: true`: the simulated device speaks its real wire format through a real
 * transport, and the real driver decodes it — EEG as Cyton packets over a mock serial port, the
 * planar LiDAR as VLP-16 packets over loopback UDP, depth as DZ16 frames over a Unix socket. The
 * simulator still decides what is captured and when (its clock domains, dropouts, fault windows);
 * everything after the bytes — framing, resync, timestamps, reconnects, health events — is the
 * production code path. A fault window therefore shows up as the real driver noticing silence.
 */
export class SimWireAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #sim: SimAdapter;
  readonly #wire: Wire;

  private constructor(sim: SimAdapter, wire: Wire) {
    this.sourceId = wire.inner.sourceId;
    this.#sim = sim;
    this.#wire = wire;
  }

  static async open(world: SimWorld, options: SimCellOptions, ctx: DeviceContext, clock: ClockDomain): Promise<SimWireAdapter> {
    const make = options.sensor === 'eeg' ? cytonWire : options.sensor === 'lidar' ? velodyneWire : z16Wire;
    const wire = await make(ctx);
    // The simulated device reports nothing itself: connect/disconnect come from the real driver.
    const simCtx: DeviceContext = { sourceId: ctx.sourceId, clock: ctx.clock, log: ctx.log };
    const sim = new SimAdapter(world, options, simCtx, clock, (s) => wire.send(s));
    return new SimWireAdapter(sim, wire);
  }

  samples(): AsyncIterable<AnySample> {
    return this.#wire.inner.samples();
  }

  stats(): AdapterStats {
    const inner = this.#wire.inner.stats();
    // Frames the simulated device lost before they reached the wire count as drops too.
    return { ...inner, dropped: inner.dropped + this.#sim.stats().dropped };
  }

  async close(): Promise<void> {
    await this.#sim.close();
    await this.#wire.close();
  }
}
