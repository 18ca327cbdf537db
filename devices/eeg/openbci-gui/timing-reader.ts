import { parseOpenBciGuiText, type OpenBciGuiRecording } from './parser.ts';

/**
 * `sensorium timing` reader for OpenBCI GUI text recordings. It has the shape of
 * `RecordingTimingReader` (src/align/timing/types.ts) without importing it: devices/ imports only
 * src/core (lint rule), and the composition root hands this object to the command.
 */
export const openBciGuiTimingReader = {
  name: 'openbci-gui',

  sniff(head: Uint8Array): boolean {
    const text = new TextDecoder().decode(head.subarray(0, 64));
    return /^%OpenBCI Raw E[XE]G Data/.test(text);
  },

  read(bytes: Uint8Array, _fileName: string) {
    const rec = parseOpenBciGuiText(new TextDecoder().decode(bytes));
    // One board per file: its source is `eeg`, as in the example configs.
    return { format: `openbci-gui/${rec.format}`, streams: [timingStreamOf(rec, 'eeg')] };
  },
};

/** The Cyton's sample counter and the GUI's per-row host stamps, as a timing stream. */
export function timingStreamOf(rec: OpenBciGuiRecording, sourceId = 'eeg') {
  const host = rec.hostMs;
  return {
    sourceId,
    nominalHz: rec.rateHz,
    counter: { values: rec.sampleIndex, bits: 8 },
    ...(host ? { arrivalNs: Array.from(host, (ms) => BigInt(Math.round(ms)) * 1_000_000n) } : {}),
  };
}
