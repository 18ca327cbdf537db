import { readFile } from 'node:fs/promises';
import {
  DeviceError, type DeviceAdapter, type DeviceContext, type DeviceDriver, type DeviceListing, type SourceDescription,
} from '../../../src/core/index.ts';
import { PlaybackAdapter } from '../../transport/playback-adapter.ts';
import { readEegRecording, type EegRecording } from './eeg-recording.ts';
import { parseEegFileOptions, type EegFileOptions } from './options.ts';

interface Chunk {
  start: number;
  end: number;
}

/** Cuts rows into chunks of ≤ `per` contiguous samples (never across a gap). */
export function chunkRows(rec: EegRecording, per: number): Chunk[] {
  const out: Chunk[] = [];
  let start = 0;
  while (start < rec.rows) {
    let end = start + 1;
    while (end < rec.rows && end - start < per && rec.sampleNumber[end] === rec.sampleNumber[end - 1]! + 1) end++;
    out.push({ start, end });
    start = end;
  }
  return out;
}

/**
 * Plays an EEG file as a live source at its recorded rate: chunk k is delivered when its last
 * sample would have been complete (start + sampleNumber(last)/rate), gaps in the recording stay gaps
 * in time and in `firstSampleIndex`. `t`/`tEnd` span the chunk on the playback timeline;
 * `deviceT` is the recorded host time of the chunk's first sample when the file has one.
 */
class EegFileAdapter extends PlaybackAdapter {
  constructor(ctx: DeviceContext) {
    super(ctx, 64);
  }

  async start(o: EegFileOptions, ctx: DeviceContext): Promise<void> {
    let rec: EegRecording;
    try {
      rec = readEegRecording(new Uint8Array(await readFile(o.path)), { ...(o.format ? { format: o.format } : {}), ...(o.channels ? { channels: o.channels } : {}) });
    } catch (err) {
      throw new DeviceError(`eeg/file: cannot play ${o.path}`, { cause: err });
    }
    if (rec.rows === 0) throw new DeviceError(`eeg/file: ${o.path} has no samples`);
    const chunks = chunkRows(rec, o.samplesPerChunk);
    const samplePeriod = 1e9 / rec.rateHz / o.speed;
    const at = (n: number): bigint => BigInt(Math.round(n * samplePeriod));
    const last = rec.sampleNumber[rec.rows - 1]!;
    const period = at(last + 1);
    ctx.onEvent?.({ type: 'connected', at: ctx.clock.now() });
    const playStart = ctx.clock.now();
    this.play({
      clock: ctx.clock,
      count: chunks.length,
      offsetNs: (k) => at(rec.sampleNumber[chunks[k]!.end - 1]! + 1),
      periodNs: period,
      loop: o.loop,
      onItem: (k, pass, due) => {
        const { start, end } = chunks[k]!;
        const n = end - start;
        const data = new Float32Array(rec.channels * n);
        for (let c = 0; c < rec.channels; c++) data.set(rec.data.subarray(c * rec.rows + start, c * rec.rows + end), c * n);
        const base = playStart + BigInt(pass) * period;
        const first = rec.sampleNumber[start]!;
        this.queue.push({
          kind: 'eeg',
          sourceId: this.sourceId,
          seq: this.nextSeq(),
          t: base + at(first),
          tEnd: base + at(first + n - 1),
          // The recording's host stamp, advancing across loops so the device clock never steps back.
          ...(rec.startNs !== undefined ? { deviceT: rec.startNs + BigInt(Math.round(((pass * (last + 1) + first) * 1e9) / rec.rateHz)) } : {}),
          receivedAt: due,
          payload: { rateHz: rec.rateHz, channels: rec.channels, channelNames: rec.channelNames, data, firstSampleIndex: pass * (last + 1) + first },
        });
      },
    });
  }
}

/** `eeg/file`: OpenBCI GUI text, EDF/EDF+/BDF and BrainFlow CSV recordings played as live EEG. */
export const eegFileDriver: DeviceDriver<EegFileOptions> = {
  name: 'eeg/file',
  parseOptions: parseEegFileOptions,
  describe(o: EegFileOptions): SourceDescription {
    const rateHz = o.rateHz * o.speed;
    return { kind: 'eeg', modality: 'eeg', nominalHz: rateHz / o.samplesPerChunk, bytesPerSample: o.channelCount * o.samplesPerChunk * 4, samplesPerChunk: o.samplesPerChunk, rateHz: o.rateHz, channels: o.channelCount };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({ devices: [], problems: [] });
  },
  async open(o: EegFileOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new EegFileAdapter(ctx);
    await a.start(o, ctx);
    return a;
  },
};
