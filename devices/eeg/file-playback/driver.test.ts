import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Sample } from '../../../src/core/index.ts';
import { parseOpenBciGuiText } from '../openbci-gui/parser.ts';
import { eegFileDriver } from './driver.ts';

const FIX = new URL('../../../test/fixtures/', import.meta.url);
const MS = 1_000_000n;

async function play(raw: Record<string, unknown>, forMs: number, stepMs = 40) {
  const clock = new ManualClock();
  const o = eegFileDriver.parseOptions(raw, 'sources.eeg0');
  const a = await eegFileDriver.open(o, { sourceId: 'eeg0', clock, log: silentLogger });
  const got: Sample<'eeg'>[] = [];
  const pump = (async () => {
    for await (const s of a.samples()) got.push(s as Sample<'eeg'>);
  })();
  const start = clock.now();
  for (let t = 0; t < forMs; t += stepMs) await clock.advance(BigInt(stepMs) * MS);
  await a.close();
  await pump;
  return { got, start };
}

describe('eeg/file playback', () => {
  it('OpenBCI GUI v6 (real Cyton recording): the values in the file, at 250 Hz, chunk by chunk', async () => {
    const path = new URL('openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt', FIX).pathname;
    const rec = parseOpenBciGuiText(readFileSync(path, 'utf8'));
    const { got, start } = await play({ path }, 1000);
    // 1 s at 250 Hz in chunks of 10: 25 chunks, delivered as each chunk's last sample is due.
    expect(got).toHaveLength(25);
    got.forEach((s, k) => {
      expect(s.payload).toMatchObject({ rateHz: 250, channels: 8, firstSampleIndex: 10 * k });
      expect(s.t - start).toBe(BigInt(k * 40) * MS);
      expect(s.receivedAt - start).toBe(BigInt((k + 1) * 40) * MS);
      for (let c = 0; c < 8; c++) for (let i = 0; i < 10; i++) expect(s.payload.data[c * 10 + i]).toBe(rec.exg[c * rec.rows + 10 * k + i]);
    });
    expect(got[0]!.deviceT).toBe(1557936053329n * MS); // the GUI's host stamp of row 0
  });

  it('EDF generator file: "sine 8 Hz" plays at 200 Hz with its recorded values', async () => {
    const path = new URL('edf/edfbrowser__test-generator.edf', FIX).pathname;
    const { got } = await play({ path, channels: ['sine 8 Hz', 'sine 1 Hz'], samplesPerChunk: 20 }, 500, 50);
    expect(got).toHaveLength(5);
    expect(got[0]!.payload).toMatchObject({ rateHz: 200, channels: 2, channelNames: ['sine 8 Hz', 'sine 1 Hz'] });
    // sine 8 Hz at 200 Hz: sample 25 (one period) equals sample 0; amplitude ≤ 100 µV.
    const x = got.flatMap((s) => Array.from(s.payload.data.subarray(0, 20)));
    expect(x[25]).toBeCloseTo(x[0]!, 1);
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(100.05);
  });

  it('BrainFlow CSV: same samples as the GUI file it came from; gaps in the 2016 file stay gaps', async () => {
    const bf = await play({ path: new URL('brainflow/openbci-cyton__brainflow-csv-from-gui-v6.head2500.csv', FIX).pathname }, 200);
    expect(bf.got).toHaveLength(5);
    expect(bf.got[0]!.payload.data[0]).toBeCloseTo(61379.36, 2);
    const old = await play({ path: new URL('openbci/openbci-cyton__raw-2016-07-21_16-43-34.head2500.txt', FIX).pathname }, 8000, 100);
    const idx = old.got.map((s) => s.payload.firstSampleIndex);
    const jumps = idx.slice(1).filter((v, k) => v !== idx[k]! + old.got[k]!.payload.data.length / 8);
    expect(jumps.length).toBeGreaterThan(0); // counter restarts and the one lost sample
  });

  it('a file that is not EEG is a clear error at open', async () => {
    const o = eegFileDriver.parseOptions({ path: new URL('velodyne/SOURCE.md', FIX).pathname }, 'sources.eeg0');
    await expect(eegFileDriver.open(o, { sourceId: 'eeg0', clock: new ManualClock(), log: silentLogger })).rejects.toThrow(/cannot play/);
  });
});
