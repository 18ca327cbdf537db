import { describe, expect, it } from 'vitest';
import { averageDepth, averageImage, downsampleSample } from '../../../src/record/downsample.ts';
import { decodeJsonSample, jpegSize } from '../../../src/record/mcap/decode-sample.ts';
import { encodeSample } from '../../../src/record/mcap/encode-sample.ts';
import { SCHEMA } from '../../../src/record/mcap/schemas.ts';
import { sampleHash, schemaErrors, syntheticSamples } from './helpers.ts';

const decode = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

describe('sample ⇄ MCAP message codec', () => {
  it('round-trip: every payload kind comes back bit for bit (NaN, ±Infinity, −0, bigints, absent fields)', () => {
    for (const s of [...syntheticSamples(0), ...syntheticSamples(7)]) {
      const enc = encodeSample(s);
      const back = decodeJsonSample(enc.schema, decode(enc.data), { sourceId: s.sourceId, seq: s.seq, logTime: s.receivedAt, publishTime: s.t });
      expect(sampleHash(back), `${s.sourceId} ${s.kind}`).toBe(sampleHash(s));
      expect(back).toEqual(s);
      // Decoded payloads own exactly-sized buffers: they are transferred to the inference worker.
      const view = (back.payload as { data?: ArrayBufferView; ranges?: ArrayBufferView; xyz?: ArrayBufferView });
      const v = (view.data ?? view.ranges ?? view.xyz) as ArrayBufferView;
      expect(v.byteOffset).toBe(0);
      expect(v.buffer.byteLength).toBe(v.byteLength);
    }
  });

  it('sound: Foxglove payloads match their published definitions (@foxglove/schemas jsonschema), EEG ours', () => {
    const seen = new Set<string>();
    for (const s of syntheticSamples(3)) {
      const enc = encodeSample(s);
      seen.add(enc.schema);
      expect(schemaErrors(enc.schema, decode(enc.data)), `${s.sourceId} as ${enc.schema}`).toEqual([]);
    }
    expect([...seen].sort()).toEqual([SCHEMA.compressedImage, SCHEMA.laserScan, SCHEMA.pointCloud, SCHEMA.rawImage, SCHEMA.eeg].sort());
    // The validator is not vacuous: a wrong type and a missing required field are caught.
    const raw = decode(encodeSample(syntheticSamples(0)[0]!).data);
    expect(schemaErrors(SCHEMA.rawImage, { ...raw, width: 'wide' })).not.toEqual([]);
    const { ranges: _r, ...noRanges } = decode(encodeSample(syntheticSamples(0)[5]!).data);
    expect(schemaErrors(SCHEMA.laserScan, noRanges)).not.toEqual([]);
  });

  it('names Foxglove encodings: rgb8, mono8, 16UC1 with step; LaserScan end_angle; PointCloud fields', () => {
    const [rgb, gray, , jpg, depth, scan, , cloud] = syntheticSamples(0).map((s) => decode(encodeSample(s).data));
    expect(rgb).toMatchObject({ encoding: 'rgb8', step: 48, width: 16, frame_id: 'cam0' });
    expect(gray).toMatchObject({ encoding: 'mono8', step: 15 });
    expect(jpg).toMatchObject({ format: 'jpeg' });
    expect(depth).toMatchObject({ encoding: '16UC1', step: 16, sensorium: { unit_m: 0.001 } });
    expect(scan?.['end_angle']).toBeCloseTo(-Math.PI + (359 * 2 * Math.PI) / 360, 12);
    expect((cloud?.['fields'] as { name: string }[]).map((f) => f.name)).toEqual(['x', 'y', 'z', 'intensity', 'time_offset', 'ring']);
    expect(cloud?.['point_stride']).toBe(22);
  });

  it('reads a JPEG size from its SOF0 marker', () => {
    const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(jpegSize(jpeg)).toEqual({ width: 640, height: 480 });
  });
});

describe('downsampling before recording (lossy, opt-in)', () => {
  it('box means: rgb per channel, rounded half up; depth over valid pixels only, 0 when none', () => {
    const img = averageImage({ width: 4, height: 2, format: 'rgb24', data: Uint8Array.from({ length: 24 }, (_, i) => i * 10) }, 2);
    // Top-left box: pixels 0,1 of rows 0,1 → R = (0+30+120+150)/4 = 75.
    expect([...img.data]).toEqual([75, 85, 95, 135, 145, 155]);
    const depth = averageDepth({ width: 4, height: 2, unitM: 0.001, data: Uint16Array.of(1000, 0, 0, 0, 1003, 0, 0, 0) }, 2);
    expect([...depth.data]).toEqual([1002, 0]);
  });

  it('leaves other formats and non-dividing sizes untouched', () => {
    const [, gray, yuv] = syntheticSamples(0);
    expect(downsampleSample(yuv!, 2)).toBe(yuv);
    expect(downsampleSample(gray!, 2)).toBe(gray); // 15×3 is not divisible by 2
  });
});
