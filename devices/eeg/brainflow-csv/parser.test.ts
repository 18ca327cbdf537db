import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/core/errors.ts';
import { parseOpenBciGuiText } from '../openbci-gui/parser.ts';
import { looksLikeBrainFlowCsv, parseBrainFlowCsv } from './parser.ts';

// A BrainFlow-format file made from the real Cyton recording (test/fixtures/brainflow/SOURCE.md says how).
const FIX = new URL('../../../test/fixtures/', import.meta.url);
const csv = readFileSync(new URL('brainflow/openbci-cyton__brainflow-csv-from-gui-v6.head2500.csv', FIX), 'utf8');

describe('parseBrainFlowCsv', () => {
  it('reads the Cyton layout (24 tab-separated columns): µV, package counter, timestamps in seconds', () => {
    expect(looksLikeBrainFlowCsv(new TextEncoder().encode(csv))).toBe(true);
    const rec = parseBrainFlowCsv(csv);
    expect(rec).toMatchObject({ board: 'cyton', rateHz: 250, channels: 8, rows: 2500, badLines: 0 });
    expect(rec.exg[0]).toBeCloseTo(61379.36, 2);
    expect(rec.hostS[0]).toBeCloseTo(1557936053.329, 6);
    expect(rec.accel[0]).toBeCloseTo(0.04, 6);
  });

  it('holds exactly the values of the GUI recording it was made from', () => {
    const gui = parseOpenBciGuiText(readFileSync(new URL('openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt', FIX), 'utf8'));
    const rec = parseBrainFlowCsv(csv);
    for (let c = 0; c < 8; c++) for (let i = 0; i < rec.rows; i += 7) expect(rec.exg[c * rec.rows + i]).toBe(gui.exg[c * gui.rows + i]);
    for (let i = 0; i < rec.rows; i++) expect(rec.sampleIndex[i]).toBe(gui.sampleIndex[i]);
  });

  it('counts bad rows, refuses unknown layouts', () => {
    const rows = csv.split('\n').slice(0, 3);
    const rec = parseBrainFlowCsv([rows[0], 'garbage', rows[1]!.replace(/\t[^\t]+$/, ''), rows[2]].join('\n'));
    expect(rec.rows).toBe(2);
    expect(rec.badLines).toBe(2);
    expect(() => parseBrainFlowCsv('1\t2\t3\n')).toThrow(DecodeError);
  });
});
