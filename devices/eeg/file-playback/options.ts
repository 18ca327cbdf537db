import { OptionReader } from '../../config/option-reader.ts';
import type { EegFileFormat } from './eeg-recording.ts';

/** Options of `eeg/file`, after parsing and defaulting. */
export interface EegFileOptions {
  /** OpenBCI GUI text (v5/v6/2016), EDF/EDF+/BDF, or BrainFlow CSV. */
  path: string;
  /** Default: sniffed from the file's first bytes. */
  format?: EegFileFormat;
  /** EDF: signal labels to play. Default: every ordinary signal at the most common rate. */
  channels?: string[];
  /** Samples per chunk. Default 10 (25 chunks/s at 250 Hz, like the Cyton driver). */
  samplesPerChunk: number;
  /** Play again from the start when it ends. Default false (the source ends). */
  loop: boolean;
  /** Playback speed (2 = twice the recorded rate). Default 1. */
  speed: number;
  /** Planning figures (the file is only read at open): rate and channel count. Defaults 250 Hz, 8. */
  rateHz: number;
  channelCount: number;
}

export function parseEegFileOptions(raw: unknown, path: string): EegFileOptions {
  const r = new OptionReader(raw, path);
  const o: EegFileOptions = {
    path: r.string('path'),
    samplesPerChunk: r.int('samplesPerChunk', 10, 1, 10_000),
    loop: r.bool('loop', false),
    speed: r.number('speed', 1, 0.01, 1000),
    rateHz: r.number('rateHz', 250, 1, 100_000),
    channelCount: r.int('channelCount', 8, 1, 1024),
  };
  if (r.has('format')) o.format = r.oneOf('format', undefined, ['openbci-gui', 'edf', 'brainflow-csv'] as const);
  else r.raw('format');
  if (r.has('channels')) o.channels = r.stringList('channels', []);
  else r.raw('channels');
  r.done('eeg/file');
  return o;
}
