import { DecodeError } from '../../../src/core/errors.ts';

/**
 * EDF, EDF+ and BDF(+) reader (Kemp et al. 1992, edfplus.info/specs/edfplus.html, BioSemi's BDF
 * notes; sensor-protocols §7.3). Header: 256 ASCII bytes, then 256 per signal stored field-major
 * (all labels, then all transducers, …). Data records follow, each holding every signal's n samples
 * in turn: int16 LE (EDF) or int24 LE (BDF). Physical = (d − dmin)·(pmax − pmin)/(dmax − dmin) + pmin;
 * pmin may exceed pmax (inverted polarity). EDF+ `EDF Annotations` signals hold TALs
 * `+onset[\x15duration]\x14text\x14…\x00`; the first TAL of a record is its start time (EDF+D gaps).
 */
export interface EdfSignal {
  label: string;
  transducer: string;
  physicalDimension: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  prefiltering: string;
  samplesPerRecord: number;
  /** samplesPerRecord / recordDuration. */
  rateHz: number;
  annotation: boolean;
  /** Physical values (annotation signals: empty). */
  data: Float32Array;
  /** Raw digital values (to check scaling). */
  digital: Int32Array;
}

export interface EdfAnnotation {
  onsetS: number;
  durationS?: number;
  text: string;
}

export interface EdfRecording {
  format: 'EDF' | 'EDF+C' | 'EDF+D' | 'BDF' | 'BDF+C' | 'BDF+D';
  patient: string;
  recording: string;
  /** As written: dd.mm.yy and hh.mm.ss. */
  startDate: string;
  startTime: string;
  recordDurationS: number;
  records: number;
  signals: EdfSignal[];
  annotations: EdfAnnotation[];
  /** Start of each record in seconds from the file start (EDF+ timekeeping TAL, else n·duration). */
  recordStartS: Float64Array;
  /** Trailing bytes that do not make a whole record (a file cut short). */
  truncatedBytes: number;
}

export function isEdf(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const v = new TextDecoder('latin1').decode(head.subarray(0, 8));
  return v === '0       ' || (head[0] === 0xff && v.slice(1) === 'BIOSEMI');
}

export function readEdf(bytes: Uint8Array): EdfRecording {
  if (bytes.length < 256 || !isEdf(bytes)) throw bad('not an EDF/BDF file (version field)');
  const ascii = (o: number, n: number): string => new TextDecoder('latin1').decode(bytes.subarray(o, o + n)).trim();
  const bdf = bytes[0] === 0xff;
  const reserved = ascii(192, 44);
  const headerBytes = num(ascii(184, 8), 'header bytes');
  const recordsField = num(ascii(236, 8), 'number of records');
  const recordDurationS = num(ascii(244, 8), 'record duration');
  const ns = num(ascii(252, 4), 'number of signals');
  if (!Number.isInteger(ns) || ns < 1 || ns > 4096 || headerBytes !== 256 * (ns + 1) || bytes.length < headerBytes) throw bad(`header size ${headerBytes} does not match ${ns} signals`);
  let o = 256;
  const field = (w: number): string[] => {
    const out = Array.from({ length: ns }, (_, i) => ascii(o + i * w, w));
    o += w * ns;
    return out;
  };
  const labels = field(16);
  const transducers = field(80);
  const dims = field(8);
  const pmin = field(8).map((s) => num(s, 'physical minimum'));
  const pmax = field(8).map((s) => num(s, 'physical maximum'));
  const dmin = field(8).map((s) => num(s, 'digital minimum'));
  const dmax = field(8).map((s) => num(s, 'digital maximum'));
  const prefilter = field(80);
  const spr = field(8).map((s) => num(s, 'samples per record'));
  const bps = bdf ? 3 : 2;
  const recordBytes = spr.reduce((a, n) => a + n * bps, 0);
  if (recordBytes <= 0) throw bad('records hold no samples');
  const available = Math.floor((bytes.length - headerBytes) / recordBytes);
  // −1 = unknown (a recorder that crashed); otherwise trust the smaller of header and file.
  const records = recordsField < 0 ? available : Math.min(recordsField, available);
  const truncatedBytes = bytes.length - headerBytes - records * recordBytes;
  const plus = reserved.startsWith('EDF+') || reserved.startsWith('BDF+');
  const signals: EdfSignal[] = labels.map((label, i) => {
    const annotation = plus && label === (bdf ? 'BDF Annotations' : 'EDF Annotations');
    const n = annotation ? 0 : spr[i]! * records;
    if (!annotation && dmax[i] === dmin[i]) throw bad(`signal ${i} (${label}): digital maximum equals minimum`);
    return {
      label,
      transducer: transducers[i]!,
      physicalDimension: dims[i]!,
      physicalMin: pmin[i]!,
      physicalMax: pmax[i]!,
      digitalMin: dmin[i]!,
      digitalMax: dmax[i]!,
      prefiltering: prefilter[i]!,
      samplesPerRecord: spr[i]!,
      rateHz: recordDurationS > 0 ? spr[i]! / recordDurationS : 0,
      annotation,
      data: new Float32Array(n),
      digital: new Int32Array(n),
    };
  });
  const annotations: EdfAnnotation[] = [];
  const recordStartS = new Float64Array(records);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = headerBytes;
  for (let r = 0; r < records; r++) {
    recordStartS[r] = r * recordDurationS;
    signals.forEach((s) => {
      const n = s.samplesPerRecord;
      if (s.annotation) {
        const start = readTals(bytes.subarray(p, p + n * bps), annotations);
        if (start !== undefined) recordStartS[r] = start;
        p += n * bps;
        return;
      }
      const gain = (s.physicalMax - s.physicalMin) / (s.digitalMax - s.digitalMin);
      const base = r * n;
      for (let k = 0; k < n; k++) {
        const d = bdf ? (((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8) : dv.getInt16(p, true);
        p += bps;
        s.digital[base + k] = d;
        s.data[base + k] = (d - s.digitalMin) * gain + s.physicalMin;
      }
    });
  }
  const format = `${bdf ? 'BDF' : 'EDF'}${plus ? (reserved.includes('+D') ? '+D' : '+C') : ''}` as EdfRecording['format'];
  return {
    format,
    patient: ascii(8, 80),
    recording: ascii(88, 80),
    startDate: ascii(168, 8),
    startTime: ascii(176, 8),
    recordDurationS,
    records,
    signals,
    annotations,
    recordStartS,
    truncatedBytes,
  };
}

/** Parses the TALs of one record's annotation bytes; returns the record's start time (first TAL). */
function readTals(b: Uint8Array, into: EdfAnnotation[]): number | undefined {
  const text = new TextDecoder('utf-8').decode(b);
  let start: number | undefined;
  for (const tal of text.split('\x00')) {
    if (!tal) continue;
    const parts = tal.split('\x14');
    const [onsetPart = '', dur] = (parts[0] ?? '').split('\x15');
    const onsetS = Number(onsetPart);
    if (!Number.isFinite(onsetS)) continue;
    const texts = parts.slice(1).filter((t) => t !== '');
    if (start === undefined && texts.length === 0) {
      start = onsetS; // the record's time-keeping TAL: "+onset\x14\x14"
      continue;
    }
    for (const t of texts) into.push({ onsetS, ...(dur ? { durationS: Number(dur) } : {}), text: t });
  }
  return start;
}

function num(s: string, what: string): number {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v)) throw bad(`${what} is not a number: ${JSON.stringify(s)}`);
  return v;
}

function bad(msg: string): DecodeError {
  return new DecodeError(`EDF: ${msg}`, { code: 'E_EDF' });
}
