import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JpegSplitter, type JpegFrame } from './jpeg-splitter.ts';

// Three JPEGs as ffmpeg 5.1 writes them with `-f mjpeg` (test/fixtures/ffmpeg/SOURCE.md).
const stream = new Uint8Array(readFileSync(new URL('../../../test/fixtures/ffmpeg/ffmpeg-lavfi__testsrc-64x48-3frames.mjpeg', import.meta.url)));

function split(chunks: Uint8Array[]): { frames: JpegFrame[]; s: JpegSplitter } {
  const s = new JpegSplitter();
  const frames: JpegFrame[] = [];
  chunks.forEach((c, i) => {
    s.push(c, BigInt(i));
    for (let f = s.next(); f; f = s.next()) frames.push(f);
  });
  return { frames, s };
}

const soiOffsets = (b: Uint8Array): number[] => {
  const out: number[] = [];
  for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xff && b[i + 1] === 0xd8 && b[i + 2] === 0xff) out.push(i);
  return out;
};

describe('JpegSplitter', () => {
  it('splits ffmpeg MJPEG output into its 3 frames, whatever the read sizes', () => {
    const starts = soiOffsets(stream);
    expect(starts).toHaveLength(3);
    for (const size of [1, 7, 100, 4096, stream.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      const { frames, s } = split(chunks);
      expect(frames.map((f) => f.data.length)).toEqual([starts[1]! - starts[0]!, starts[2]! - starts[1]!, stream.length - starts[2]!]);
      expect(s.stats()).toEqual({ badBytes: 0, frames: 3 });
    }
  });

  it('is not fooled by an EXIF-style thumbnail (a whole JPEG, EOI included, inside an APP1 segment)', () => {
    const starts = soiOffsets(stream);
    const f0 = stream.subarray(0, starts[1]);
    const thumb = stream.subarray(starts[1], starts[2]);
    // FF D8 | FF E1 len "Exif\0\0" <thumbnail JPEG> | rest of frame 0 after its SOI
    const app1Len = 2 + 6 + thumb.length;
    const withThumb = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, app1Len >> 8, app1Len & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0, ...thumb, ...f0.subarray(2)]);
    const { frames } = split([withThumb, stream.subarray(starts[1])]);
    expect(frames).toHaveLength(3);
    expect(frames[0]!.data.length).toBe(withThumb.length);
  });

  it('skips garbage before a frame and a frame cut short by a new SOI, counting the bytes', () => {
    const starts = soiOffsets(stream);
    const cut = stream.subarray(0, 500); // frame 0 truncated mid-scan
    const { frames, s } = split([Uint8Array.of(1, 2, 3), cut, stream.subarray(starts[1])]);
    expect(frames).toHaveLength(2);
    expect(s.stats().badBytes).toBe(3 + 500);
  });
});
