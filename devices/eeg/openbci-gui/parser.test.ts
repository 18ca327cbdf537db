import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/core/errors.ts';
import { toEegSamples } from './chunks.ts';
import { parseOpenBciGuiText } from './parser.ts';
import { openBciGuiTimingReader } from './timing-reader.ts';

const FIX = new URL('../../../test/fixtures/openbci/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

describe('parseOpenBciGuiText', () => {
  it('reads the GUI v6 file: 22490 rows, 8 channels at 250 Hz, host stamps, no bad lines', () => {
    const rec = parseOpenBciGuiText(read('openbci-cyton__gui-v6-blinks-jawclench-alpha.txt'));
    expect(rec).toMatchObject({ format: 'v6', rateHz: 250, channels: 8, rows: 22490, badLines: 0, board: 'OpenBCI_GUI$BoardCytonSerial' });
    // First row, field by field: "0, 61379.36, 49492.89, …, 0.040, 0.420, 0.238,…, 1557936053329,0, 12:00:53.329"
    expect(rec.sampleIndex[0]).toBe(0);
    expect(rec.exg[0]).toBeCloseTo(61379.36, 2); // EXG Channel 0, row 0
    expect(rec.exg[rec.rows]).toBeCloseTo(49492.89, 2); // EXG Channel 1, row 0
    expect(rec.aux[0]).toBeCloseTo(0.04, 6);
    expect(rec.hostMs?.[0]).toBe(1557936053329);
    expect(rec.marker?.[0]).toBe(0);
    // Last row: "217, 58705.56, …, 1557936143166,0, 12:02:23.166"
    expect(rec.sampleIndex[rec.rows - 1]).toBe(217);
    expect(rec.hostMs?.[rec.rows - 1]).toBe(1557936143166);
  });

  it('reads the GUI v5 layout: skips the dummy zero row, timestamp is the second-to-last field', () => {
    const rec = parseOpenBciGuiText(read('openbci-cyton__gui-v5-blinks-jawclench-alpha.head1000.txt'));
    expect(rec).toMatchObject({ format: 'v5', rateHz: 250, channels: 8, rows: 995, badLines: 0 });
    expect(rec.sampleIndex[0]).toBe(0);
    expect(rec.exg[0]).toBeCloseTo(61379.36, 2); // the same session as the v6 file
    expect(rec.hostMs?.[0]).toBe(1557936053329);
    expect(rec.hostMs?.[1]).toBe(1557936053336);
  });

  it('reads the 2016 layout: 8 EEG + 3 aux, no host stamps, railed values kept', () => {
    const rec = parseOpenBciGuiText(read('openbci-cyton__raw-2016-07-21_16-43-34.head2500.txt'));
    expect(rec).toMatchObject({ format: '2016', rateHz: 250, channels: 8, rows: 2495, badLines: 0 });
    expect(rec.hostMs).toBeUndefined();
    expect(rec.exg[7 * rec.rows]).toBeCloseTo(-187500.02, 2); // channel 8 is railed
    expect(rec.aux[0]).toBeCloseTo(0.06, 6);
  });

  it('counts unreadable rows instead of throwing, and rejects text that is not a recording', () => {
    const text = '%OpenBCI Raw EEG Data\n%\n%Sample Rate = 250.0 Hz\n%First Column = SampleIndex\n0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0\ngarbage\n1, 1, 2\n2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0\n';
    const rec = parseOpenBciGuiText(text);
    expect(rec.rows).toBe(2);
    expect(rec.badLines).toBe(2);
    expect(() => parseOpenBciGuiText('time,value\n1,2\n')).toThrow(DecodeError);
  });
});

describe('toEegSamples', () => {
  it('cuts chunks that never span a counter jump; firstSampleIndex shows the jump', () => {
    const rec = parseOpenBciGuiText(read('openbci-cyton__raw-2016-07-21_16-43-34.head2500.txt'));
    const chunks = toEegSamples(rec, { sourceId: 'eeg0', samplesPerChunk: 10 });
    expect(chunks.reduce((n, c) => n + c.payload.data.length / 8, 0)).toBe(rec.rows);
    for (const c of chunks) expect(c.payload.channels).toBe(8);
    // The one lost sample (counter 8 → 10, file row 1332) leaves a hole of exactly one index.
    const holes = chunks.slice(1).map((c, k) => c.payload.firstSampleIndex - ((chunks[k] as typeof c).payload.firstSampleIndex + (chunks[k] as typeof c).payload.data.length / 8));
    expect(holes.filter((h) => h === 1)).toHaveLength(1);
  });
});

describe('openBciGuiTimingReader', () => {
  it('sniffs OpenBCI text and yields the counter and host times as a timing stream', () => {
    const bytes = readFileSync(new URL('openbci-cyton__gui-v5-blinks-jawclench-alpha.head1000.txt', FIX));
    expect(openBciGuiTimingReader.sniff(bytes.subarray(0, 64))).toBe(true);
    expect(openBciGuiTimingReader.sniff(new TextEncoder().encode('\x89MCAP0\r\n'))).toBe(false);
    const rec = openBciGuiTimingReader.read(bytes, 'x.txt');
    const s = rec.streams[0];
    expect(rec.format).toBe('openbci-gui/v5');
    expect(s?.counter?.bits).toBe(8);
    expect(s?.arrivalNs?.[0]).toBe(1557936053329n * 1_000_000n);
  });
});
