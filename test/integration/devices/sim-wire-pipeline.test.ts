import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { wire } from '../../../src/config/wiring.ts';
import { ManualClock } from '../../../src/core/clocks.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { createRegistry } from '../../../src/main.ts';
import { Runtime } from '../../../src/pipeline/runtime.ts';
import type { ResultPayload } from '../../../src/publish/payload-schema.ts';

/**
 * The whole stack without hardware, through the real device code: the reference pipeline with its
 * depth, LiDAR and EEG sources in wire mode (DZ16 over a Unix socket into depth/z16, VLP-16 packets
 * over loopback UDP into lidar/velodyne, Cyton packets over a mock serial port into
 * eeg/openbci-cyton), the int8 models in their worker, results to a sink. 4 s on a manual clock.
 */
describe('reference pipeline with wire-mode sources', () => {
  it('fuses real-format depth, LiDAR and EEG: results arrive with those modalities fresh', async () => {
    const config = parseConfig({
      device: { id: 'wire-01', site: 'lab' },
      sources: {
        cam0: { driver: 'sim/cell', sensor: 'camera', seed: 7 },
        depth0: { driver: 'sim/cell', sensor: 'depth', seed: 7, wire: true },
        lidar0: { driver: 'sim/cell', sensor: 'lidar', seed: 7, wire: true },
        eeg0: { driver: 'sim/cell', sensor: 'eeg', seed: 7, wire: true },
      },
      pipelines: {
        cell_state: {
          models: 'models/reference',
          trigger: { every: '100ms' },
          inputs: {
            camera: { source: 'cam0', policy: 'latest', maxAge: '100ms' },
            depth: { source: 'depth0', policy: 'latest', maxAge: '150ms' },
            // The wire sweep is emitted at the next revolution's start: one period more than the sim's.
            lidar: { source: 'lidar0', policy: 'latest', maxAge: '350ms' },
            eeg: { source: 'eeg0', policy: 'window', length: '1s', maxAge: '150ms' },
          },
        },
      },
      outputs: {},
      metrics: { port: 0 },
    });
    const registry = createRegistry();
    const wiring = await wire(config, registry, process.cwd());
    const clock = new ManualClock(1_800_000_000_000_000_000n);
    const results: ResultPayload[] = [];
    const runtime = new Runtime({ wiring, registry, clock, log: silentLogger, metricsPort: 0, sinks: [(r) => results.push(r)] });
    await runtime.start();
    try {
      const end = clock.now() + 4_000_000_000n;
      while (clock.now() < end) {
        await clock.advance(10_000_000n);
        await new Promise((r) => setTimeout(r, 0)); // UDP datagrams and socket reads land between ticks
        await runtime.idle();
      }
      // The last 2 s (the first ~1 s is handshakes, first sweeps and the EEG window filling).
      const late = results.slice(-20);
      expect(late.length).toBe(20);
      const fresh = Object.fromEntries((['depth', 'lidar', 'eeg'] as const).map((m) => [m, late.filter((r) => r.mask[m] !== 'missing').length]));
      expect(fresh, JSON.stringify(runtime.health())).toEqual({ depth: expect.any(Number), lidar: expect.any(Number), eeg: expect.any(Number) });
      for (const m of ['depth', 'lidar', 'eeg'] as const) expect(fresh[m], `${m}: ${JSON.stringify(runtime.health())}`).toBeGreaterThanOrEqual(18);
      const health = runtime.health() as { sources: Record<string, { state: string; badBytes: number }> };
      for (const id of ['depth0', 'lidar0', 'eeg0']) expect(health.sources[id]).toMatchObject({ state: 'ok', badBytes: 0 });
    } finally {
      await runtime.stop();
    }
  });
});
