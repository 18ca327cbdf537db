import { createHash } from 'node:crypto';
import type { CaptureReader, CaptureStreamSummary } from '../../../src/core/capture.ts';
import { isRosBag } from '../../formats/ros1-bag.ts';
import { readRealSenseBag } from './reader.ts';

/** `inspect` for RealSense `.bag` recordings: depth and colour streams, their rates, hashes and centre pixels. */
export const realsenseBagReader: CaptureReader = {
  name: 'realsense-bag',
  sniff: (head) => isRosBag(head),
  read(bytes) {
    const rec = readRealSenseBag(bytes);
    const rate = (stamps: bigint[]): number => (stamps.length < 2 ? 0 : Math.round(((stamps.length - 1) / (Number(stamps.at(-1)! - stamps[0]!) / 1e9)) * 100) / 100);
    const sha = (d: ArrayBufferView): string => createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
    const streams: Record<string, CaptureStreamSummary> = {};
    if (rec.depth.length > 0) {
      const f = rec.depth[0]!.frame;
      const centre = (i: number): number => rec.depth[i]!.frame.data[(f.height >> 1) * f.width + (f.width >> 1)]!;
      streams['depth'] = {
        kind: 'depth',
        count: rec.depth.length,
        rateHz: rate(rec.depth.map((d) => d.stampNs)),
        // The first frame's centre pixel (raw units), as librealsense's own SOURCE note gives it.
        first: [centre(0)],
        width: f.width,
        height: f.height,
        unitM: rec.depthUnitM,
        centre: rec.depth.map((_, i) => centre(i)),
        sha256: rec.depth.map((d) => sha(d.frame.data)),
        deviceStampNs: rec.depth.map((d) => String(d.stampNs)),
        ...(rec.depthIntrinsics ? { intrinsics: rec.depthIntrinsics } : {}),
      };
    }
    if (rec.color.length > 0) {
      const f = rec.color[0]!.frame;
      const o = 3 * ((f.height >> 1) * f.width + (f.width >> 1));
      streams['color'] = { kind: 'image', count: rec.color.length, rateHz: rate(rec.color.map((c) => c.stampNs)), first: [f.data[o]!, f.data[o + 1]!, f.data[o + 2]!], width: f.width, height: f.height, sha256: rec.color.map((c) => sha(c.frame.data)) };
    }
    return { format: `ros1-bag/realsense ${rec.device['Name'] ?? ''}`.trim(), streams, notes: [] };
  },
};
