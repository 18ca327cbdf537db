import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRealSenseBag } from './reader.ts';

// Real D435 recording from librealsense's unit-test resources; values from test/fixtures/realsense/SOURCE.md.
const bytes = readFileSync(new URL('../../../test/fixtures/realsense/intel-d435__single-depth-color-640x480.bag', import.meta.url));
const sha = (d: Uint16Array): string => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');

describe('readRealSenseBag (real D435 bag, LZ4 chunks)', () => {
  const rec = readRealSenseBag(bytes);

  it('has 2 Z16 depth frames with the pixel values and hashes of SOURCE.md', () => {
    expect(rec.depth).toHaveLength(2);
    const [f1, f2] = rec.depth;
    expect(f1!.frame).toMatchObject({ width: 640, height: 480, unitM: 0.0010000000474974513 });
    expect(sha(f1!.frame.data)).toBe('c5ae993b10a1fd360d4c3d62eee32fd8a295d558c4d89906f954103700220563');
    expect(sha(f2!.frame.data)).toBe('403f8ff8d0f8cab1a42d2354cb816cf6bda0c4205c0dc6e1e370de8169012c67');
    expect(f1!.frame.data[240 * 640 + 320]).toBe(1536);
    expect(f2!.frame.data[240 * 640 + 320]).toBe(1540);
    const d = f1!.frame.data;
    let nz = 0;
    let lo = 65535;
    let hi = 0;
    for (const v of d) {
      if (!v) continue;
      nz++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([nz, lo, hi]).toEqual([286520, 341, 3182]);
  });

  it('keeps the device clock stamp and the per-frame metadata (frame counter, hardware timestamp)', () => {
    const f1 = rec.depth[0]!;
    expect(f1.stampNs).toBe(360815089000n);
    expect(f1.metadata['Frame Counter']).toBe('169');
    expect(f1.metadata['Frame Timestamp']).toBe('360815089');
    expect(f1.metadata['Time Of Arrival']).toBe('1534232519732');
    expect(rec.device['Name']).toBe('Intel RealSense D435');
    expect(rec.depthIntrinsics?.fx).toBeCloseTo(390.431, 3);
    expect(rec.depthIntrinsics?.cx).toBeCloseTo(331.388, 3);
  });

  it('has the rgb8 colour frame with the hash of SOURCE.md', () => {
    expect(rec.color).toHaveLength(1);
    expect(createHash('sha256').update(rec.color[0]!.frame.data).digest('hex')).toBe('dadf172834b856d43aea8d264e3c96a5fd1f288e022f984382e3413143fc8675');
  });
});
