import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.ts';
import { wire } from '../../src/config/wiring.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createRegistry } from '../../src/main.ts';
import { demoConfig } from '../helpers/demo-config.ts';
import { demoRuntime, memoryLogger } from '../helpers/demo-runtime.ts';

/**
 * With every sensor silent there is nothing to classify: the head would be fed zeros. Such sets are
 * skipped (counted in health and metrics) instead of publishing a made-up label; results resume
 * when a sensor does.
 */
describe('minInputs', () => {
  it('every source silent for 3 s: no results then, skipped sets counted, results before and after', async () => {
    const log = memoryLogger();
    const d = await demoRuntime((c) => {
      // LiDAR's own demo fault moved out of the way; all four go silent together.
      for (const s of Object.values(c.sources)) s['faults'] = [{ at: '2s', for: '3s' }];
      c.outputs.mqtt = { broker: 'embedded', port: 0, spool: false };
    }, log);
    await d.runtime.start();
    const t0 = d.clock.now();
    await d.run(7);
    const tOf = (r: { t_ns: string }): number => Number(BigInt(r.t_ns) - t0) / 1e9;
    const health = d.runtime.health();
    await d.runtime.stop(5000);
    const p = health.pipelines['cell_state']!;
    expect(p.skippedSets).toBeGreaterThan(20); // ~3 s at 10 Hz, less each source's maxAge
    expect(d.results.some((r) => Object.values(r.mask).every((m) => m === 'missing'))).toBe(false);
    // Results right up to the silence and again after it; none in the middle of it.
    expect(d.results.some((r) => tOf(r) > 1 && tOf(r) < 2)).toBe(true);
    expect(d.results.some((r) => tOf(r) > 5.5)).toBe(true);
    expect(d.results.filter((r) => tOf(r) > 2.5 && tOf(r) < 4.9)).toEqual([]);
    // seq stays contiguous: skipped sets never took a number.
    d.results.forEach((r, i) => expect(r.seq).toBe((d.results[0]?.seq ?? 0) + i));
  }, 60_000);

  it('a minInputs no set could reach is a config error naming the field', async () => {
    const { file } = demoConfig((c) => void ((c.pipelines.cell_state as Record<string, unknown>)['minInputs'] = 5));
    const loaded = loadConfigFile(file);
    await expect(wire(loaded.config, createRegistry(), loaded.dir)).rejects.toThrow(ConfigError);
    await expect(wire(loaded.config, createRegistry(), loaded.dir)).rejects.toThrow(/pipelines\.cell_state\.minInputs: 5 is more than this pipeline's 4 inputs/);
  });
});
