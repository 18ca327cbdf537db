import { describe, expect, it } from 'vitest';
import { simCellDriver } from '../../../devices/sim/index.ts';
import { ManualClock } from '../../../src/core/clocks.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { AnySample } from '../../../src/core/sample.ts';
import { SourceRunner } from '../../../src/pipeline/source-runner.ts';

/** Residuals (ms) of stamps against their least-squares line over the sample index. */
function residualP99(stamps: bigint[]): number {
  const n = stamps.length;
  const t0 = stamps[0] as bigint;
  const y = stamps.map((t) => Number(t - t0) / 1e6);
  const mx = (n - 1) / 2;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * ((y[i] as number) - my);
    sxx += (i - mx) ** 2;
  }
  const b = sxy / sxx;
  const r = y.map((v, i) => Math.abs(v - (my + b * (i - mx)))).sort((p, q) => p - q);
  return r[Math.floor(0.99 * (n - 1))] as number;
}

describe('SourceRunner maps device clocks onto the host timeline (ClockSync per source)', () => {
  it('dejitters the simulated camera: t follows its clock line, receivedAt does not; drift is estimated', async () => {
    const clock = new ManualClock(1_800_000_000_000_000_000n);
    const options = simCellDriver.parseOptions({ sensor: 'camera', seed: 21, clock: { driftPpm: 35, jitterMs: 3 } }, 'sources.cam0');
    const runner = new SourceRunner({ id: 'cam0', driver: simCellDriver, options, description: simCellDriver.describe(options) }, clock, silentLogger);
    const got: { t: bigint; receivedAt: bigint }[] = [];
    runner.onSample((s: AnySample) => got.push({ t: s.t, receivedAt: s.receivedAt }));
    await runner.start();
    for (let i = 0; i < 3000; i++) await clock.advance(10_000_000n); // 30 s
    await runner.stop();
    const settled = got.slice(300); // after the first 10 s of convergence
    const dejittered = residualP99(settled.map((s) => s.t));
    const raw = residualP99(settled.map((s) => s.receivedAt));
    expect(raw).toBeGreaterThan(2);
    expect(dejittered).toBeLessThan(0.5);
    const h = runner.health(clock.now());
    expect(h.clock?.driftPpm).toBeGreaterThan(30);
    expect(h.clock?.driftPpm).toBeLessThan(40);
    expect(h.clock?.discontinuities).toBe(0);
  }, 60_000);
});
