import type { Sample } from '../../../src/core/sample.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import type { OpenBciGuiRecording } from './parser.ts';

export interface EegChunkOptions {
  sourceId: string;
  /** Samples per channel in each chunk (default 10, as the Cyton driver and the simulator). */
  samplesPerChunk?: number;
  /**
   * Time of validity of each row on the host timeline (ns): e.g. dejittered times from
   * `CounterClock`. Default: the row's host stamp (v5/v6; bursty — dejitter it for alignment), or
   * `n / rate` from 0 for the 2016 format, which has none.
   */
  times?: ArrayLike<TimestampNs>;
}

/**
 * Cuts a recording into EEG chunks (channel-major µV). `firstSampleIndex` is the row's sample
 * number with the 8-bit counter unwrapped — a counter jump shows up as a jump in it (the window
 * policy reports those as gaps). A chunk never spans a jump, so its samples are contiguous.
 */
export function toEegSamples(rec: OpenBciGuiRecording, o: EegChunkOptions): Sample<'eeg'>[] {
  const per = o.samplesPerChunk ?? 10;
  if (!Number.isInteger(per) || per < 1) throw new RangeError('samplesPerChunk must be an integer >= 1');
  const periodNs = 1e9 / rec.rateHz;
  const number = unwrap(rec.sampleIndex);
  const timeOf = (i: number): TimestampNs =>
    o.times ? (o.times[i] as bigint) : rec.hostMs ? BigInt(Math.round(rec.hostMs[i] as number)) * 1_000_000n : BigInt(Math.round((number[i] as number) * periodNs));
  const out: Sample<'eeg'>[] = [];
  let start = 0;
  while (start < rec.rows) {
    let end = start + 1;
    while (end < rec.rows && end - start < per && (number[end] as number) === (number[end - 1] as number) + 1) end++;
    const n = end - start;
    const data = new Float32Array(rec.channels * n);
    for (let c = 0; c < rec.channels; c++) data.set(rec.exg.subarray(c * rec.rows + start, c * rec.rows + end), c * n);
    out.push({
      kind: 'eeg',
      sourceId: o.sourceId,
      seq: out.length,
      t: timeOf(start),
      tEnd: timeOf(end - 1),
      receivedAt: rec.hostMs ? BigInt(Math.round(rec.hostMs[end - 1] as number)) * 1_000_000n : timeOf(end - 1),
      payload: { rateHz: rec.rateHz, channels: rec.channels, channelNames: rec.channelNames, data, firstSampleIndex: number[start] as number },
    });
    start = end;
  }
  return out;
}

/** 8-bit counter → sample numbers (delta mod 256; a repeat counts as a full wrap). */
function unwrap(counter: Int32Array): Float64Array {
  const out = new Float64Array(counter.length);
  let n = counter[0] ?? 0;
  for (let i = 0; i < counter.length; i++) {
    if (i > 0) {
      const d = ((counter[i] as number) - (counter[i - 1] as number) + 256) % 256;
      n += d === 0 ? 256 : d;
    }
    out[i] = n;
  }
  return out;
}
