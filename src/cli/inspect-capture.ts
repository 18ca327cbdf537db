import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CaptureReaders, CaptureSummary } from '../core/capture.ts';
import { DecodeError, describeError } from '../core/errors.ts';

const MCAP_MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];

export interface InspectCaptureOptions {
  /** Print only the JSON line. */
  json: boolean;
  /** Sidecar metadata file (Ouster sensor JSON). */
  metadata?: string;
}

/**
 * `sensorium inspect <capture>`: decodes a recorded sensor capture with the readers the composition
 * root passes in (devices/captures.ts), prints a summary per stream, and ends with one JSON line
 * `{"format":…,"streams":{"<id>":{"kind","count","rateHz","first","points"?,"firstPoint"?,…}}}`.
 * Exit codes: 0 decoded, 1 unreadable or damaged, 2 a format no reader knows.
 */
export async function inspectCaptureCommand(file: string, opts: InspectCaptureOptions, readers: CaptureReaders, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const bytes = new Uint8Array(await readFile(file));
  const metadata = opts.metadata ? new Uint8Array(await readFile(opts.metadata)) : undefined;
  const head = bytes.subarray(0, 4096);
  const reader = [...readers.values()].find((r) => r.sniff(head, basename(file)));
  if (!reader) {
    const mcap = MCAP_MAGIC.every((b, i) => bytes[i] === b);
    process.stderr.write(
      mcap
        ? `sensorium inspect: ${file} is MCAP; no MCAP capture reader is registered (it belongs under src/record/mcap/, the only place allowed to import @mcap/core)\n`
        : `sensorium inspect: ${file}: unknown capture format (known: ${[...readers.keys()].join(', ')})\n`,
    );
    return 2;
  }
  let summary: CaptureSummary;
  try {
    summary = await reader.read(bytes, { fileName: basename(file), ...(metadata ? { metadata } : {}) });
  } catch (err) {
    process.stderr.write(`sensorium inspect: ${file}: ${err instanceof DecodeError ? err.message : describeError(err)}\n`);
    return 1;
  }
  if (!opts.json) {
    const lines = [`${file}  (${summary.format}, ${bytes.length} bytes, read by ${reader.name})`];
    for (const [id, s] of Object.entries(summary.streams)) {
      lines.push(`  ${id.padEnd(9)} ${s.kind.padEnd(8)} ${String(s.count).padStart(8)} × ${s.rateHz} Hz   first ${fmt(s.first)}`);
      if (s.points !== undefined) lines.push(`  ${''.padEnd(18)} ${s.points} points, first at ${fmt(s.firstPoint ?? [])} m`);
      for (const [k, v] of Object.entries(s)) {
        if (['kind', 'count', 'rateHz', 'first', 'points', 'firstPoint'].includes(k)) continue;
        lines.push(`  ${''.padEnd(18)} ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      }
    }
    for (const n of summary.notes) lines.push(`  note: ${n}`);
    out.write(`${lines.join('\n')}\n`);
  }
  out.write(`${JSON.stringify({ format: summary.format, streams: summary.streams })}\n`);
  return 0;
}

function fmt(v: readonly number[]): string {
  return `[${v.map((x) => (Number.isInteger(x) ? String(x) : x.toFixed(4))).join(', ')}]`;
}
