import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordingTimingReader } from '../../../src/align/timing/types.ts';
import { timingCommand } from '../../../src/cli/timing.ts';
import { RecordingError } from '../../../src/core/errors.ts';
import { openBciGuiTimingReader } from '../../../devices/eeg/openbci-gui/timing-reader.ts';

const FIX = (name: string): string => new URL(`../../fixtures/openbci/${name}`, import.meta.url).pathname;
// The devices/ reader has the port's shape without importing it (layer rule): checked here by tsc.
const readers: RecordingTimingReader[] = [openBciGuiTimingReader];

async function run(file: string, stamps?: string): Promise<string[]> {
  let text = '';
  const code = await timingCommand(file, { readers, ...(stamps ? { stamps } : {}), out: { write: (s: string) => (text += s) } });
  expect(code).toBe(0);
  return text.trimEnd().split('\n');
}

describe('sensorium timing', () => {
  it('ends with one JSON line {"sources":{id:{…}}} and writes per-sample stamps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sensorium-timing-'));
    const csv = join(dir, 'stamps.csv');
    const lines = await run(FIX('openbci-cyton__gui-v6-blinks-jawclench-alpha.txt'), csv);
    const json = JSON.parse(lines[lines.length - 1] as string) as { sources: Record<string, Record<string, number | null>> };
    expect(Object.keys(json.sources)).toEqual(['eeg']);
    const eeg = json.sources['eeg'];
    expect(Object.keys(eeg ?? {})).toEqual(['nominalHz', 'effectiveHz', 'driftPpm', 'rawJitterP50Ms', 'rawJitterP99Ms', 'dejitteredJitterP50Ms', 'dejitteredJitterP99Ms', 'gaps', 'droppedSamples', 'resets']);
    expect(eeg).toMatchObject({ nominalHz: 250, gaps: 0, droppedSamples: 0, resets: 0 });
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('source,index,raw_ms,dejittered_ms');
    expect(rows).toHaveLength(22491);
    expect(rows[1]).toMatch(/^eeg,0,1557936053329\.000,15579360533\d\d\.\d{3}$/);
  });

  it('reads the 2016 format (no host times): gaps from the counter, rates unknown', async () => {
    const lines = await run(FIX('openbci-cyton__raw-2016-07-21_16-43-34.head2500.txt'));
    const eeg = (JSON.parse(lines[lines.length - 1] as string) as { sources: Record<string, Record<string, number | null>> }).sources['eeg'];
    // 7 restarts to 0 and one lost sample: without host times, all 8 are counter gaps.
    expect(eeg).toMatchObject({ nominalHz: 250, effectiveHz: null, driftPpm: null, rawJitterP99Ms: null, gaps: 8, resets: 0 });
  });

  it('names the seam for MCAP logs (no reader yet) and rejects unknown files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sensorium-timing-'));
    const mcap = join(dir, 'x.mcap');
    writeFileSync(mcap, Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a, 0, 0]));
    await expect(timingCommand(mcap, { readers })).rejects.toMatchObject({ code: 'E_TIMING_MCAP' });
    const txt = join(dir, 'x.txt');
    writeFileSync(txt, 'hello\n');
    await expect(timingCommand(txt, { readers })).rejects.toBeInstanceOf(RecordingError);
  });
});
