import { DecodeError } from '../../../src/core/errors.ts';
import { looksLikeBrainFlowCsv, parseBrainFlowCsv } from '../brainflow-csv/parser.ts';
import { isEdf, readEdf, type EdfRecording } from '../edf/reader.ts';
import { parseOpenBciGuiText } from '../openbci-gui/parser.ts';

/**
 * One EEG recording in the form playback and `inspect` need, whatever the file format: µV,
 * channel-major, with a monotonic sample number per row whose jumps are the recording's gaps
 * (an 8-bit counter jump, an EDF+D record that starts late).
 */
export interface EegRecording {
  format: string;
  rateHz: number;
  channels: number;
  channelNames: string[];
  rows: number;
  /** µV, channel-major: data[c · rows + i]. */
  data: Float32Array;
  /** Monotonic sample numbers (gaps are jumps), starting at 0. */
  sampleNumber: Float64Array;
  /** Host time of the first row (Unix ns) when the file records one. */
  startNs?: bigint;
  badLines: number;
}

export type EegFileFormat = 'openbci-gui' | 'edf' | 'brainflow-csv';

export function sniffEegFormat(head: Uint8Array): EegFileFormat | undefined {
  if (/^%OpenBCI Raw E[XE]G Data/.test(new TextDecoder().decode(head.subarray(0, 32)))) return 'openbci-gui';
  if (isEdf(head)) return 'edf';
  if (looksLikeBrainFlowCsv(head)) return 'brainflow-csv';
  return undefined;
}

export interface ReadEegOptions {
  format?: EegFileFormat;
  /** EDF: labels to play (default: every ordinary signal at the most common rate). */
  channels?: string[];
}

/** Reads any supported EEG file. Throws DecodeError naming the problem. */
export function readEegRecording(bytes: Uint8Array, o: ReadEegOptions = {}): EegRecording {
  const format = o.format ?? sniffEegFormat(bytes);
  switch (format) {
    case 'openbci-gui': {
      // The OpenBCI GUI parser of devices/eeg/openbci-gui (one parser for playback and timing).
      const rec = parseOpenBciGuiText(new TextDecoder().decode(bytes));
      return {
        format: `openbci-gui/${rec.format}`,
        rateHz: rec.rateHz,
        channels: rec.channels,
        channelNames: rec.channelNames,
        rows: rec.rows,
        data: rec.exg,
        sampleNumber: unwrap8(rec.sampleIndex),
        ...(rec.hostMs && rec.rows > 0 ? { startNs: BigInt(Math.round(rec.hostMs[0]!)) * 1_000_000n } : {}),
        badLines: rec.badLines,
      };
    }
    case 'brainflow-csv': {
      const rec = parseBrainFlowCsv(new TextDecoder().decode(bytes));
      return {
        format: `brainflow-csv/${rec.board}`,
        rateHz: rec.rateHz,
        channels: rec.channels,
        channelNames: Array.from({ length: rec.channels }, (_, c) => `EEG ${c + 1}`),
        rows: rec.rows,
        data: rec.exg,
        sampleNumber: unwrap8(rec.sampleIndex),
        ...(rec.rows > 0 ? { startNs: BigInt(Math.round(rec.hostS[0]! * 1e6)) * 1000n } : {}),
        badLines: rec.badLines,
      };
    }
    case 'edf':
      return fromEdf(readEdf(bytes), o.channels);
    default:
      throw new DecodeError('not an EEG recording this reader knows (OpenBCI GUI text, EDF/EDF+/BDF, BrainFlow CSV)', { code: 'E_EEG_FORMAT' });
  }
}

const UV_PER: Readonly<Record<string, number>> = { uV: 1, µV: 1, 'μV': 1, mV: 1e3, V: 1e6, nV: 1e-3 };

function fromEdf(rec: EdfRecording, labels?: string[]): EegRecording {
  const ordinary = rec.signals.filter((s) => !s.annotation);
  let chosen = ordinary;
  if (labels) {
    chosen = labels.map((l) => {
      const s = ordinary.find((x) => x.label === l);
      if (!s) throw new DecodeError(`EDF has no signal "${l}" (it has ${ordinary.map((x) => x.label).join(', ')})`, { code: 'E_EDF_CHANNEL' });
      return s;
    });
  } else {
    // The most common rate: mixed-rate files (BDF generator, PSG) play their EEG-rate signals.
    const counts = new Map<number, number>();
    for (const s of ordinary) counts.set(s.rateHz, (counts.get(s.rateHz) ?? 0) + 1);
    const rate = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    chosen = ordinary.filter((s) => s.rateHz === rate);
  }
  if (chosen.length === 0) throw new DecodeError('EDF has no signals to play', { code: 'E_EDF_CHANNEL' });
  const rateHz = chosen[0]!.rateHz;
  if (chosen.some((s) => s.rateHz !== rateHz)) throw new DecodeError(`EDF channels ${chosen.map((s) => `${s.label} (${s.rateHz} Hz)`).join(', ')} differ in rate; pick channels of one rate`, { code: 'E_EDF_CHANNEL' });
  const rows = chosen[0]!.data.length;
  const data = new Float32Array(chosen.length * rows);
  chosen.forEach((s, c) => {
    const k = UV_PER[s.physicalDimension] ?? 1;
    for (let i = 0; i < rows; i++) data[c * rows + i] = s.data[i]! * k;
  });
  // EDF+D: a record that starts later than the previous one ended is a gap in sample numbers.
  const per = chosen[0]!.samplesPerRecord;
  const sampleNumber = new Float64Array(rows);
  for (let r = 0; r < rec.records; r++) {
    const base = Math.round(rec.recordStartS[r]! * rateHz);
    for (let k = 0; k < per; k++) sampleNumber[r * per + k] = base + k;
  }
  return { format: rec.format, rateHz, channels: chosen.length, channelNames: chosen.map((s) => s.label), rows, data, sampleNumber, badLines: 0 };
}

/** 8-bit packet counter → monotonic sample numbers from 0 (a repeated value counts as a full wrap). */
function unwrap8(counter: ArrayLike<number>): Float64Array {
  const out = new Float64Array(counter.length);
  let n = 0;
  for (let i = 1; i < counter.length; i++) {
    const d = ((counter[i]! - counter[i - 1]!) % 256 + 256) % 256;
    n += d === 0 ? 256 : d;
    out[i] = n;
  }
  return out;
}
