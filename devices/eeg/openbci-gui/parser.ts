import { DecodeError } from '../../../src/core/errors.ts';

/**
 * OpenBCI GUI text recordings (sensor-protocols §7.1, verified on OpenBCI's own sample files):
 *
 * - `v6` (GUI ≥ 5.0 "OpenBCI Raw EXG Data"): 4 `%` lines, a column-header line ("Sample Index,
 *   EXG Channel 0, …, Timestamp, Marker Channel, Timestamp (Formatted)"), then rows.
 * - `v5` (GUI 5 "OpenBCI Raw EEG Data" with `%Number of channels` and `%Board`): no column
 *   header; a dummy row of zeros follows the `%` lines; rows are index, N EXG, 3 accel, 10 other
 *   columns, Timestamp (Unix ms), formatted time.
 * - `2016` (GUI 1–3, "OpenBCI-RAW-*.txt", `%First Column = SampleIndex`): index, N EEG, 3 aux
 *   (accel, non-zero about every 10th row). No timestamps.
 *
 * The Sample Index column is the Cyton's 8-bit packet counter (0..255, wrapping). EXG values are
 * µV, unfiltered (large DC offsets). Lines that cannot be read are counted, never thrown.
 */
export type OpenBciGuiFormat = 'v6' | 'v5' | '2016';

export interface OpenBciGuiRecording {
  format: OpenBciGuiFormat;
  rateHz: number;
  channels: number;
  channelNames: string[];
  /** `%Board = …` when present (e.g. `OpenBCI_GUI$BoardCytonSerial`). */
  board?: string;
  rows: number;
  /** The counter column as written, per row. */
  sampleIndex: Int32Array;
  /** Host time each row was written (Unix ms; the GUI stamps per USB read, so rows come in bursts). */
  hostMs?: Float64Array;
  /** EXG in µV, channel-major: `exg[c * rows + i]`. */
  exg: Float32Array;
  /** Accelerometer / aux, 3 × rows, channel-major (g). */
  aux: Float32Array;
  /** v6 marker channel. */
  marker?: Float32Array;
  /** Rows skipped because they could not be read (wrong field count, not numbers). */
  badLines: number;
  /** Header `%Key = Value` pairs. */
  header: Record<string, string>;
}

interface Layout {
  channels: number;
  exg: number[];
  aux: number[];
  index: number;
  timestamp?: number;
  marker?: number;
  fields: number;
}

/** Parses a whole recording. Throws DecodeError only when the text is not an OpenBCI GUI recording. */
export function parseOpenBciGuiText(text: string): OpenBciGuiRecording {
  const lines = text.split('\n');
  const header: Record<string, string> = {};
  let first: string | undefined;
  let li = 0;
  for (; li < lines.length; li++) {
    const line = (lines[li] as string).trim();
    if (!line.startsWith('%')) break;
    first ??= line;
    const m = /^%\s*([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (m) header[m[1] as string] = m[2] as string;
  }
  if (!first || !/^%OpenBCI Raw E[XE]G Data/.test(first)) throw new DecodeError('not an OpenBCI GUI recording (no "%OpenBCI Raw EEG/EXG Data" line)', { code: 'E_OPENBCI_GUI' });
  const rateHz = Number(/([\d.]+)/.exec(header['Sample Rate'] ?? '')?.[1]);
  if (!(rateHz > 0)) throw new DecodeError('OpenBCI GUI recording without a "%Sample Rate = … Hz" line', { code: 'E_OPENBCI_GUI' });
  const format: OpenBciGuiFormat = 'First Column' in header ? '2016' : first.includes('EXG') ? 'v6' : 'v5';
  let columnNames: string[] | undefined;
  const next = lines[li]?.trim();
  if (next && /^Sample Index/i.test(next)) {
    columnNames = next.split(',').map((s) => s.trim());
    li++;
  }
  const declared = Number(header['Number of channels']);
  const layout = layoutOf(format, columnNames, declared, lines[li] ?? '');
  const cap = lines.length - li;
  const idx = new Int32Array(cap);
  const host = layout.timestamp !== undefined ? new Float64Array(cap) : undefined;
  const exgRows: Float32Array[] = layout.exg.map(() => new Float32Array(cap));
  const auxRows: Float32Array[] = layout.aux.map(() => new Float32Array(cap));
  const marker = layout.marker !== undefined ? new Float32Array(cap) : undefined;
  let rows = 0;
  let bad = 0;
  for (; li < lines.length; li++) {
    const line = (lines[li] as string).trim();
    if (line === '' || line.startsWith('%')) continue;
    const f = line.split(',');
    if (f.length !== layout.fields) {
      bad++;
      continue;
    }
    const index = Number(f[layout.index]);
    const ts = layout.timestamp !== undefined ? Number(f[layout.timestamp]) : 0;
    if (!Number.isInteger(index) || !Number.isFinite(ts)) {
      bad++;
      continue;
    }
    // v5 writes one dummy row of zeros (timestamp 0) after the header.
    if (format === 'v5' && rows === 0 && ts === 0) continue;
    idx[rows] = index;
    if (host) host[rows] = ts;
    layout.exg.forEach((col, c) => ((exgRows[c] as Float32Array)[rows] = Number(f[col])));
    layout.aux.forEach((col, c) => ((auxRows[c] as Float32Array)[rows] = Number(f[col])));
    if (marker && layout.marker !== undefined) marker[rows] = Number(f[layout.marker]);
    rows++;
  }
  const exg = new Float32Array(layout.channels * rows);
  exgRows.forEach((r, c) => exg.set(r.subarray(0, rows), c * rows));
  const aux = new Float32Array(3 * rows);
  auxRows.forEach((r, c) => aux.set(r.subarray(0, rows), c * rows));
  const board = header['Board'];
  return {
    format,
    rateHz,
    channels: layout.channels,
    channelNames: Array.from({ length: layout.channels }, (_, c) => (format === 'v6' ? `EXG Channel ${c}` : `EEG ${c + 1}`)),
    ...(board ? { board } : {}),
    rows,
    sampleIndex: idx.slice(0, rows),
    ...(host ? { hostMs: host.slice(0, rows) } : {}),
    exg,
    aux,
    ...(marker ? { marker: marker.slice(0, rows) } : {}),
    badLines: bad,
    header,
  };
}

function layoutOf(format: OpenBciGuiFormat, names: string[] | undefined, declared: number, sample: string): Layout {
  if (names) {
    const find = (re: RegExp): number[] => names.flatMap((n, i) => (re.test(n) ? [i] : []));
    const exg = find(/^EXG Channel \d+$/i);
    const aux = find(/^Accel Channel \d+$/i).slice(0, 3);
    const timestamp = names.findIndex((n) => /^Timestamp$/i.test(n));
    const marker = names.findIndex((n) => /^Marker Channel$/i.test(n));
    return { channels: exg.length, exg, aux, index: 0, ...(timestamp >= 0 ? { timestamp } : {}), ...(marker >= 0 ? { marker } : {}), fields: names.length };
  }
  const fields = sample.split(',').length;
  if (format === '2016') {
    // index, N EEG, 3 aux.
    const channels = fields - 4;
    if (channels < 1) throw new DecodeError(`OpenBCI 2016 row with ${fields} fields`, { code: 'E_OPENBCI_GUI' });
    return { channels, exg: range(1, channels), aux: range(1 + channels, 3), index: 0, fields };
  }
  // v5: index, N EXG, 3 accel, other columns, Timestamp, formatted time.
  const channels = Number.isInteger(declared) && declared > 0 ? declared : 8;
  if (fields < channels + 6) throw new DecodeError(`OpenBCI v5 row with ${fields} fields for ${channels} channels`, { code: 'E_OPENBCI_GUI' });
  return { channels, exg: range(1, channels), aux: range(1 + channels, 3), index: 0, timestamp: fields - 2, fields };
}

function range(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}
