import { describe, expect, it } from 'vitest';
import { timingCommand } from '../../../src/cli/timing.ts';
import { mcapTimingReader } from '../../../src/record/mcap-timing-reader.ts';

/** `sensorium timing` on one of our MCAP logs: per-source rates and drift from the recorded stamps. */
describe('sensorium timing <log.mcap>', () => {
  it('analyses every recorded source', async () => {
    let out = '';
    const code = await timingCommand('test/fixtures/replay/sim-cell__demo-4s-80x60.mcap', { readers: [mcapTimingReader], out: { write: (t: string) => (out += t) } });
    expect(code).toBe(0);
    const json = JSON.parse(out.trim().split('\n').pop() as string) as { sources: Record<string, { nominalHz: number; effectiveHz: number; driftPpm: number; gaps: number; resets: number }> };
    expect(Object.keys(json.sources).sort()).toEqual(['cam0', 'depth0', 'eeg0', 'lidar0']);
    for (const [id, s] of Object.entries(json.sources)) {
      // The simulator's clocks drift by ±40 ppm; 4 s of stamps with ms jitter pin that to ~±100 ppm.
      expect(Math.abs(s.driftPpm), id).toBeLessThan(150);
      expect(s.gaps, id).toBe(0);
      expect(s.resets, id).toBe(0);
    }
    expect(json.sources.cam0?.nominalHz).toBe(30);
    expect(json.sources.eeg0?.nominalHz).toBe(25);
  });
});
