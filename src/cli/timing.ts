import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ClockSyncOptions } from '../align/clock-sync/clock-sync.ts';
import { analyzeTiming, type TimingAnalysis, type TimingReport } from '../align/timing/analyze.ts';
import type { RecordingTimingReader } from '../align/timing/types.ts';
import { RecordingError } from '../core/errors.ts';

export interface TimingCommandOptions {
  /** Also write per-sample stamps to this CSV: `source,index,raw_ms,dejittered_ms`. */
  stamps?: string;
  /**
   * Format readers, handed over by the composition root (src/ never imports devices/): the
   * OpenBCI GUI text reader is `openBciGuiTimingReader` from `devices/eeg/openbci-gui`. MCAP joins
   * once `src/record` exists.
   */
  readers: readonly RecordingTimingReader[];
  /** Where the report goes (default stdout). */
  out?: { write(text: string): unknown };
  /** ClockSync tuning (window, bucket, latency…). */
  sync?: ClockSyncOptions;
}

const MCAP_MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];

/**
 * `sensorium timing <file>`: per-source timing of a recording — nominal vs effective rate,
 * drift, raw vs dejittered jitter, gaps, resets. Human-readable lines, then one JSON line
 * `{"sources":{"<id>":{…}}}`. Returns the exit code; unreadable files throw (RecordingError,
 * DecodeError).
 */
export async function timingCommand(file: string, opts: TimingCommandOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new RecordingError(`cannot read ${file}`, { cause: err });
  }
  const head = bytes.subarray(0, 256);
  const reader = opts.readers.find((r) => r.sniff(head));
  if (!reader) {
    if (MCAP_MAGIC.every((b, i) => head[i] === b)) {
      // MCAP is read by src/record's reader (the only @mcap/* importer), handed in by src/main.ts.
      throw new RecordingError(`${file} is an MCAP recording, but no MCAP timing reader is registered`, { code: 'E_TIMING_MCAP' });
    }
    throw new RecordingError(`${file}: not a recording format sensorium timing knows (${opts.readers.map((r) => r.name).join(', ') || 'no readers'})`, { code: 'E_TIMING_FORMAT' });
  }
  const rec = await reader.read(bytes, basename(file));
  const analyses = rec.streams.map((s) => analyzeTiming(s, opts.sync ? { sync: opts.sync } : {}));
  const lines: string[] = [`timing of ${file} (${rec.format})`];
  for (const a of analyses) lines.push(...describe(a));
  const json = { sources: Object.fromEntries(analyses.map((a) => [a.sourceId, pick(a.report)])) };
  if (opts.stamps) {
    writeFileSync(opts.stamps, stampsCsv(analyses));
    lines.push(`per-sample stamps written to ${opts.stamps}`);
  }
  lines.push(JSON.stringify(json));
  out.write(`${lines.join('\n')}\n`);
  return 0;
}

function pick(r: TimingReport): Record<string, number | null> {
  return {
    nominalHz: r.nominalHz,
    effectiveHz: r.effectiveHz === null ? null : round(r.effectiveHz, 4),
    driftPpm: r.driftPpm === null ? null : round(r.driftPpm, 1),
    rawJitterP50Ms: r.rawJitterP50Ms,
    rawJitterP99Ms: r.rawJitterP99Ms,
    dejitteredJitterP50Ms: r.dejitteredJitterP50Ms,
    dejitteredJitterP99Ms: r.dejitteredJitterP99Ms,
    gaps: r.gaps,
    droppedSamples: r.droppedSamples,
    resets: r.resets,
  };
}

function describe(a: TimingAnalysis): string[] {
  const r = a.report;
  const out = [`source ${a.sourceId}: ${r.samples} samples${r.durationS !== null ? ` over ${r.durationS.toFixed(2)} s` : ''}`];
  if (r.effectiveHz === null) {
    out.push(`  rate     nominal ${r.nominalHz} Hz; no host times in this recording: effective rate, drift and jitter unknown`);
  } else {
    out.push(`  rate     nominal ${r.nominalHz} Hz, effective ${r.effectiveHz.toFixed(4)} Hz (drift ${signed(r.driftPpm ?? 0)} ppm)`);
    out.push(`  jitter   raw p50 ${r.rawJitterP50Ms} ms, p99 ${r.rawJitterP99Ms} ms; dejittered p50 ${r.dejitteredJitterP50Ms} ms, p99 ${r.dejitteredJitterP99Ms} ms (against the fitted clock line)`);
  }
  out.push(`  gaps     ${r.gaps} (${r.droppedSamples} samples dropped); resets ${r.resets}`);
  for (const e of a.events) {
    out.push(`  ${e.kind.padEnd(8)} at sample ${e.index}: offset ${signed(e.stepNs / 1e6)} ms, detected ${(Number(e.detectedArrivalNs - e.arrivalNs) / 1e6).toFixed(1)} ms later`);
  }
  return out;
}

/** `source,index,raw_ms,dejittered_ms`, times in Unix ms with µs digits (empty without host times). */
export function stampsCsv(analyses: readonly TimingAnalysis[]): string {
  const rows: string[] = ['source,index,raw_ms,dejittered_ms'];
  for (const a of analyses) {
    for (let i = 0; i < a.index.length; i++) {
      const raw = a.rawNs ? msText(a.rawNs[i] as bigint) : '';
      const dej = a.dejitteredNs ? msText(a.dejitteredNs[i] as bigint) : '';
      rows.push(`${a.sourceId},${a.index[i]},${raw},${dej}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

function msText(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const us = (abs + 500n) / 1000n;
  return `${neg ? '-' : ''}${us / 1000n}.${String(us % 1000n).padStart(3, '0')}`;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
