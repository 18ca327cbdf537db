import { createHash, type Hash } from 'node:crypto';
import * as foxglove from '@foxglove/schemas/jsonschema.js';
import Ajv from 'ajv';
import type { AnySample } from '../../../src/core/sample.ts';
import { EEG_CHUNK_SCHEMA, GROUND_TRUTH_SCHEMA, SCHEMA } from '../../../src/record/mcap/schemas.ts';

/**
 * Shared by the record/replay tests: a canonical digest of a Sample (every field, payload arrays
 * by their bytes), a validator of message bodies against the published schemas, and a set of
 * synthetic samples that exercise every payload kind and its edge values.
 */
export function digestSample(h: Hash, s: AnySample): void {
  h.update(JSON.stringify([s.kind, s.sourceId, s.seq, String(s.t), String(s.tEnd), String(s.deviceT), String(s.receivedAt)]));
  const scalars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.payload).sort(([a], [b]) => a.localeCompare(b))) {
    if (ArrayBuffer.isView(v)) {
      h.update(`${k}:${v.constructor.name}:${v.byteLength}:`);
      h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else scalars[k] = v;
  }
  h.update(JSON.stringify(scalars));
}

export function sampleHash(s: AnySample): string {
  const h = createHash('sha256');
  digestSample(h, s);
  return h.digest('hex');
}

/** Per source: a running sha256 over its samples, in order. */
export class ChannelHashes {
  readonly #h = new Map<string, Hash>();
  readonly counts: Record<string, number> = {};
  add(s: AnySample): void {
    let h = this.#h.get(s.sourceId);
    if (!h) this.#h.set(s.sourceId, (h = createHash('sha256')));
    digestSample(h, s);
    this.counts[s.sourceId] = (this.counts[s.sourceId] ?? 0) + 1;
  }
  digests(): Record<string, string> {
    return Object.fromEntries([...this.#h].sort(([a], [b]) => a.localeCompare(b)).map(([k, h]) => [k, h.copy().digest('hex')]));
  }
}

// draft-07 semantics; Foxglove's `contentEncoding: base64` is an annotation, checked separately.
const ajv = new Ajv({ allErrors: true });
const published: Record<string, object> = {
  [SCHEMA.rawImage]: foxglove.RawImage,
  [SCHEMA.compressedImage]: foxglove.CompressedImage,
  [SCHEMA.laserScan]: foxglove.LaserScan,
  [SCHEMA.pointCloud]: foxglove.PointCloud,
  [SCHEMA.eeg]: EEG_CHUNK_SCHEMA,
  [SCHEMA.groundTruth]: GROUND_TRUTH_SCHEMA,
};

/** Schema errors of a message body (empty when it conforms), including base64 `data`. */
export function schemaErrors(schema: string, body: unknown): string[] {
  const s = published[schema];
  if (!s) return [`no published schema ${schema}`];
  const validate = ajv.compile(s);
  const errors = validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
  const data = (body as { data?: unknown }).data;
  if (typeof data === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) errors.push('.data is not base64');
  return errors;
}

const T0 = 1_900_000_000_123_456_789n;

/** One sample of every payload kind, with the values JSON cannot carry where they can occur. */
export function syntheticSamples(k = 0): AnySample[] {
  const t = T0 + BigInt(k) * 10_000_000n;
  const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + k) & 255);
  const ranges = Float32Array.from({ length: 360 }, (_, i) => 0.5 + ((i * 7 + k) % 100) / 37);
  ranges[3] = NaN;
  ranges[4] = Infinity;
  ranges[5] = -0;
  const cloud = 50;
  const xyz = Float32Array.from({ length: cloud * 3 }, (_, i) => Math.fround((i - 70) / 9.1));
  xyz[7] = NaN;
  const eeg = Float32Array.from({ length: 8 * 10 }, (_, i) => Math.fround(-1234.5 + i * 0.0224 * (k + 1)));
  eeg[12] = -Infinity;
  return [
    { kind: 'image', sourceId: 'cam0', seq: k, t, deviceT: 123_456n + BigInt(k), receivedAt: t + 30_000_000n, payload: { width: 16, height: 8, format: 'rgb24', data: bytes(16 * 8 * 3, 1) } },
    { kind: 'image', sourceId: 'gray0', seq: k, t, receivedAt: t + 1n, payload: { width: 15, height: 3, format: 'gray8', data: bytes(45, 2) } },
    { kind: 'image', sourceId: 'yuv0', seq: k, t, receivedAt: t + 2n, payload: { width: 4, height: 2, format: 'i420', data: bytes(12, 3) } },
    { kind: 'image', sourceId: 'jpg0', seq: k, t, receivedAt: t + 3n, payload: { width: 640, height: 480, format: 'jpeg', data: bytes(333, 4) } },
    { kind: 'depth', sourceId: 'depth0', seq: k, t, deviceT: -5n, receivedAt: t + 25_000_000n, payload: { width: 8, height: 4, unitM: 0.001, data: Uint16Array.from({ length: 32 }, (_, i) => (i * 977 + k) & 0xffff) } },
    { kind: 'scan', sourceId: 'lidar0', seq: k, t, tEnd: t + 100_000_000n, receivedAt: t + 105_000_000n, payload: { angleMin: -Math.PI, angleIncrement: (2 * Math.PI) / 360, rangeMin: 0.15, rangeMax: 12, ranges } },
    { kind: 'scan', sourceId: 'lidar1', seq: k, t, receivedAt: t + 4n, payload: { angleMin: 0, angleIncrement: 0.1, rangeMin: 0, rangeMax: 6, ranges: Float32Array.of(1, 2, 3), intensities: Float32Array.of(10, NaN, 30) } },
    {
      kind: 'cloud', sourceId: 'vlp0', seq: k, t, tEnd: t + 99_000_000n, receivedAt: t + 5n,
      payload: { count: cloud, xyz, intensity: Float32Array.from({ length: cloud }, (_, i) => i), timeOffset: Float32Array.from({ length: cloud }, (_, i) => i * 1e-4), ring: Uint16Array.from({ length: cloud }, (_, i) => i % 16) },
    },
    { kind: 'cloud', sourceId: 'os0', seq: k, t, receivedAt: t + 6n, payload: { count: 2, xyz: Float32Array.of(1, 2, 3, 4, 5, 6) } },
    {
      kind: 'eeg', sourceId: 'eeg0', seq: k, t, tEnd: t + 36_000_000n, deviceT: 99n, receivedAt: t + 50_000_000n,
      payload: { rateHz: 250, channels: 8, channelNames: ['Fp1', 'Fp2', 'C3', 'C4', 'P7', 'P8', 'O1', 'O2'], data: eeg, firstSampleIndex: k * 10 },
    },
  ];
}
