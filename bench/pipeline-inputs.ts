import { SimWorld, eegWindowAt, latestFrame, type FramePayloads } from '../devices/sim/index.ts';
import type { BufferPool } from '../src/core/buffer-pool.ts';

/**
 * bench:pipeline's inputs: simulator frames rendered once (the renderer is not what is measured),
 * and a "device" that writes each one into a fresh buffer per set — from a frame pool when given
 * one (what the drivers do), freshly allocated otherwise.
 */
export interface BenchInputs {
  /** Where the next frames' buffers come from (undefined: new ArrayBuffers). */
  usePool(pool: BufferPool | undefined): void;
  copyImage(k: number): FramePayloads['camera'];
  copyDepth(k: number): FramePayloads['depth'];
  copyScan(k: number): FramePayloads['lidar'];
  /** EEG samples [first, first + n) of one continuous stream, channel-major. */
  eegSlice(first: number, n: number): Float32Array;
  readonly eegChannels: number;
}

const MS = 1_000_000n;

/** `distinct` camera/depth/LiDAR sets (used round-robin) and an EEG stream of `eegSamples` samples. */
export function renderInputs(distinct: number, eegSamples: number): BenchInputs {
  const world = new SimWorld({ seed: 424242, lineHz: 50 });
  const base = 1_800_000_123_000_000_000n;
  const frames = Array.from({ length: distinct }, (_, k) => {
    const t = base + BigInt(k) * 700n * MS;
    return { camera: latestFrame(world, 'camera', t).payload, depth: latestFrame(world, 'depth', t).payload, lidar: latestFrame(world, 'lidar', t).payload };
  });
  const eeg = eegWindowAt(world, base + BigInt(eegSamples) * 4n * MS, { length: eegSamples }).chunk;
  const len = eeg.data.length / eeg.channels;
  let pool: BufferPool | undefined;
  const buf = (bytes: number): ArrayBuffer => pool?.acquire(bytes) ?? new ArrayBuffer(bytes);
  const frame = (k: number) => frames[k % distinct]!;
  return {
    usePool: (p) => void (pool = p),
    copyImage(k) {
      const f = frame(k).camera;
      const data = new Uint8Array(buf(f.data.byteLength));
      data.set(f.data);
      return { ...f, data };
    },
    copyDepth(k) {
      const f = frame(k).depth;
      const data = new Uint16Array(buf(f.data.byteLength));
      data.set(f.data);
      return { ...f, data };
    },
    copyScan: (k) => ({ ...frame(k).lidar, ranges: frame(k).lidar.ranges.slice() }),
    eegSlice(first, n) {
      if (first + n > len) throw new RangeError(`EEG sample ${first + n} past the rendered ${len}`);
      const out = new Float32Array(eeg.channels * n);
      for (let c = 0; c < eeg.channels; c++) out.set(eeg.data.subarray(c * len + first, c * len + first + n), c * n);
      return out;
    },
    eegChannels: eeg.channels,
  };
}
