import type { CaptureReader, CaptureStreamSummary, CaptureSummary } from '../core/capture.ts';
import { DecodeError, describeError } from '../core/errors.ts';
import type { AnySample } from '../core/sample.ts';
import { openMcapBytes } from './mcap/open-log.ts';

const MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];

/** The first decoded values of a sample, as `inspect` prints them for every kind. */
function firstValues(s: AnySample): number[] {
  switch (s.kind) {
    case 'image':
      return [...s.payload.data.subarray(0, 3)];
    case 'depth':
      return [...s.payload.data.subarray(0, 4)];
    case 'scan':
      return [...s.payload.ranges.subarray(0, 4)].map((r) => Math.round(r * 1000) / 1000);
    case 'cloud':
      return [...s.payload.xyz.subarray(0, 3)].map((v) => Math.round(v * 1000) / 1000);
    case 'eeg': {
      const n = s.payload.data.length / s.payload.channels;
      return Array.from({ length: s.payload.channels }, (_, c) => Math.round((s.payload.data[c * n] as number) * 100) / 100);
    }
  }
}

/** `sensorium inspect <log.mcap>`: every recorded source of one of our logs (or a rosbag2 MCAP). */
export const mcapCaptureReader: CaptureReader = {
  name: 'mcap',
  sniff: (head) => MAGIC.every((b, i) => head[i] === b),
  async read(bytes, options): Promise<CaptureSummary> {
    let log;
    try {
      log = await openMcapBytes(bytes, options.fileName);
    } catch (err) {
      throw new DecodeError(`${options.fileName}: not a readable MCAP log (${describeError(err)})`, { cause: err });
    }
    try {
      const streams: Record<string, CaptureStreamSummary> = {};
      const first = new Map<string, AnySample>();
      const counts = new Map<string, number>();
      const span = new Map<string, [bigint, bigint]>();
      let points = 0;
      for await (const s of log.samples()) {
        if (!first.has(s.sourceId)) first.set(s.sourceId, s);
        counts.set(s.sourceId, (counts.get(s.sourceId) ?? 0) + 1);
        const sp = span.get(s.sourceId);
        span.set(s.sourceId, sp ? [sp[0], s.t] : [s.t, s.t]);
        if (s.kind === 'cloud') points += s.payload.count;
      }
      for (const src of log.info.sources) {
        const f = first.get(src.id);
        const n = counts.get(src.id) ?? 0;
        const sp = span.get(src.id);
        const rateHz = sp && n > 1 && sp[1] > sp[0] ? Math.round(((n - 1) * 1e9 * 1000) / Number(sp[1] - sp[0])) / 1000 : 0;
        streams[src.id] = {
          kind: src.kind,
          count: n,
          rateHz,
          first: f ? firstValues(f) : [],
          topic: src.topic,
          ...(f?.kind === 'cloud' ? { points, firstPoint: [f.payload.xyz[0] ?? 0, f.payload.xyz[1] ?? 0, f.payload.xyz[2] ?? 0] as [number, number, number] } : {}),
        };
      }
      return { format: `mcap/${log.info.format}`, streams, notes: [...log.info.notes, ...(log.info.recovered ? ['file was cut off: read up to its last complete chunk'] : [])] };
    } finally {
      await log.close();
    }
  },
};
