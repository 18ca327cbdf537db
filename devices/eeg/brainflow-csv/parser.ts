import { DecodeError } from '../../../src/core/errors.ts';

/**
 * BrainFlow CSV (brainflow `src/data_handler/data_handler.cpp` `write_file`, the `file://…:w`
 * streamer and OpenBCI GUI ≥ 5's `BrainFlow-RAW_*.csv`; sensor-protocols §7.2): one row per
 * sample, the board's rows as columns, each `%lf` with 6 decimals, **tab-separated** despite the
 * extension, no header. Column meaning comes from the board description
 * (`brainflow_boards.cpp`): for the Cyton (board 0) package 0, EEG 1–8 (µV), accel 9–11 (g),
 * other 12–18, analog 19–21, timestamp 22 (Unix **seconds**, host clock), marker 23; for the Cyton +
 * Daisy (board 2) EEG 1–16, accel 17–19, other 20–26, analog 27–29, timestamp 30, marker 31, 125 Hz.
 */
export interface BrainFlowBoard {
  name: string;
  columns: number;
  rateHz: number;
  package: number;
  eeg: number[];
  accel: number[];
  timestamp: number;
  marker: number;
}

const span = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

export const BRAINFLOW_BOARDS: readonly BrainFlowBoard[] = [
  { name: 'cyton', columns: 24, rateHz: 250, package: 0, eeg: span(1, 8), accel: span(9, 3), timestamp: 22, marker: 23 },
  { name: 'cyton-daisy', columns: 32, rateHz: 125, package: 0, eeg: span(1, 16), accel: span(17, 3), timestamp: 30, marker: 31 },
];

export interface BrainFlowRecording {
  board: string;
  rateHz: number;
  channels: number;
  rows: number;
  /** BrainFlow's package counter (the Cyton's 8-bit sample number), per row. */
  sampleIndex: Int32Array;
  /** Host time per row, Unix seconds. */
  hostS: Float64Array;
  /** EEG µV, channel-major. */
  exg: Float32Array;
  accel: Float32Array;
  marker: Float32Array;
  badLines: number;
}

/** Sniff: a first line of ≥ 20 numeric fields separated by tabs. */
export function looksLikeBrainFlowCsv(head: Uint8Array): boolean {
  const line = new TextDecoder().decode(head.subarray(0, 4096)).split('\n')[0] ?? '';
  const f = line.trim().split('\t');
  return f.length >= 20 && f.every((x) => x !== '' && Number.isFinite(Number(x)));
}

/**
 * Parses a BrainFlow CSV. The board is picked by column count unless given. Rows with another
 * field count or non-numbers are counted in `badLines`, not thrown; a file no board matches throws.
 */
export function parseBrainFlowCsv(text: string, options: { board?: string } = {}): BrainFlowRecording {
  const lines = text.split('\n');
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  const cols = split(firstLine).length;
  const board = options.board ? BRAINFLOW_BOARDS.find((b) => b.name === options.board) : BRAINFLOW_BOARDS.find((b) => b.columns === cols);
  if (!board) {
    throw new DecodeError(`BrainFlow CSV with ${cols} columns matches no known board (${BRAINFLOW_BOARDS.map((b) => `${b.name}: ${b.columns}`).join(', ')})`, { code: 'E_BRAINFLOW_CSV' });
  }
  const cap = lines.length;
  const C = board.eeg.length;
  const idx = new Int32Array(cap);
  const host = new Float64Array(cap);
  const eegRows = board.eeg.map(() => new Float32Array(cap));
  const accRows = board.accel.map(() => new Float32Array(cap));
  const marker = new Float32Array(cap);
  let rows = 0;
  let bad = 0;
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const f = split(raw);
    if (f.length !== board.columns) {
      bad++;
      continue;
    }
    const v = f.map(Number);
    if (v.some((x) => !Number.isFinite(x))) {
      bad++;
      continue;
    }
    idx[rows] = Math.round(v[board.package]!);
    host[rows] = v[board.timestamp]!;
    board.eeg.forEach((c, k) => (eegRows[k]![rows] = v[c]!));
    board.accel.forEach((c, k) => (accRows[k]![rows] = v[c]!));
    marker[rows] = v[board.marker]!;
    rows++;
  }
  const exg = new Float32Array(C * rows);
  eegRows.forEach((r, c) => exg.set(r.subarray(0, rows), c * rows));
  const accel = new Float32Array(3 * rows);
  accRows.forEach((r, c) => accel.set(r.subarray(0, rows), c * rows));
  return { board: board.name, rateHz: board.rateHz, channels: C, rows, sampleIndex: idx.slice(0, rows), hostS: host.slice(0, rows), exg, accel, marker: marker.slice(0, rows), badLines: bad };
}

function split(line: string): string[] {
  const t = line.trim();
  // Tabs are what BrainFlow writes; accept commas for files re-saved by spreadsheets.
  return (t.includes('\t') ? t.split('\t') : t.split(',')).map((s) => s.trim());
}
