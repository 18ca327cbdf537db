import type { RecordingTimingReader, TimingRecording, TimingStream } from '../align/timing/types.ts';
import { openMcapBytes } from './mcap/open-log.ts';

const MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];

/**
 * `sensorium timing` for our MCAP logs: per source, the device clock stamps (`deviceT`, when the
 * device has a clock) and host arrival times as recorded, one stamp per sample (chunk) at the
 * source's nominal rate.
 */
export const mcapTimingReader: RecordingTimingReader = {
  name: 'mcap',
  sniff: (head) => MAGIC.every((b, i) => head[i] === b),
  async read(bytes: Uint8Array): Promise<TimingRecording> {
    const log = await openMcapBytes(bytes);
    try {
      const acc = new Map<string, { device: number[]; arrival: bigint[]; hasDevice: boolean }>();
      for await (const s of log.samples()) {
        let a = acc.get(s.sourceId);
        if (!a) acc.set(s.sourceId, (a = { device: [], arrival: [], hasDevice: true }));
        a.arrival.push(s.receivedAt);
        if (s.deviceT === undefined) a.hasDevice = false;
        else a.device.push(Number(s.deviceT));
      }
      const streams: TimingStream[] = [];
      for (const src of log.info.sources) {
        const a = acc.get(src.id);
        if (!a || a.arrival.length === 0) continue;
        streams.push({
          sourceId: src.id,
          nominalHz: src.description.nominalHz,
          arrivalNs: a.arrival,
          ...(a.hasDevice && a.device.length === a.arrival.length ? { deviceNs: a.device } : {}),
        });
      }
      return { format: `mcap/${log.info.format}`, streams };
    } finally {
      await log.close();
    }
  },
};
