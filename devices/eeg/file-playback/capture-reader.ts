import type { CaptureReader } from '../../../src/core/capture.ts';
import { readEegRecording, sniffEegFormat } from './eeg-recording.ts';

/** `inspect` for EEG files (OpenBCI GUI text, EDF/EDF+/BDF, BrainFlow CSV): rate, channels, first sample. */
export const eegFileReader: CaptureReader = {
  name: 'eeg-file',
  sniff: (head) => sniffEegFormat(head) !== undefined,
  read(bytes) {
    const rec = readEegRecording(bytes);
    // float32 storage: 7 significant digits are what the file said (61379.36, not 61379.3594).
    const first = Array.from({ length: rec.channels }, (_, c) => Number(rec.data[c * rec.rows]!.toPrecision(7)));
    const gaps = rec.sampleNumber.reduce((n, v, i) => n + (i > 0 && v !== rec.sampleNumber[i - 1]! + 1 ? 1 : 0), 0);
    return {
      format: rec.format,
      streams: {
        eeg: {
          kind: 'eeg',
          count: rec.rows,
          rateHz: rec.rateHz,
          first,
          channels: rec.channelNames,
          durationS: Math.round(((rec.sampleNumber[rec.rows - 1] ?? 0) + 1) / rec.rateHz * 1000) / 1000,
          gaps,
          ...(rec.startNs !== undefined ? { startUnixMs: Number(rec.startNs / 1_000_000n) } : {}),
        },
      },
      notes: rec.badLines > 0 ? [`${rec.badLines} unreadable rows skipped`] : [],
    };
  },
};
