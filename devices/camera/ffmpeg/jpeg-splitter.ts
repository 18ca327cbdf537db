import type { FrameDecoder } from '../../../src/core/device.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { ByteAccumulator } from '../../formats/byte-accumulator.ts';

export interface JpegFrame {
  data: Uint8Array;
  receivedAt: TimestampNs;
}

/** Largest JPEG accepted before the splitter gives up on a frame and resyncs (a 4K MJPEG frame is ~1–2 MB). */
const MAX_JPEG = 16 << 20;

/**
 * Splits back-to-back JPEGs (ffmpeg `-f mjpeg`, sensor-protocols §5.1). A naive search for `FF D9`
 * is fooled by EXIF thumbnails, so this walks the marker segments (ITU-T T.81 §B.1): after `FF D8`,
 * each marker's u16 length is skipped until SOS, whose entropy-coded data ends at the first `FF xx`
 * that is not stuffing (`FF 00`) or a restart marker (`FF D0`–`D7`); that must be EOI `FF D9`
 * (or another SOS, for progressive JPEGs). Bytes before an SOI, and frames that break the
 * structure, are skipped and counted.
 */
export class JpegSplitter implements FrameDecoder<JpegFrame> {
  readonly #buf = new ByteAccumulator(4096);
  readonly #out: JpegFrame[] = [];
  /** Where parsing of the current frame stopped (resumes there when more bytes arrive). */
  #pos = 0;
  #inScan = false;
  #stats = { badBytes: 0, frames: 0 };

  push(bytes: Uint8Array, receivedAt: TimestampNs): void {
    this.#buf.append(bytes);
    for (;;) {
      const r = this.#parse();
      if (r === 'need') return;
      if (r === 'bad') {
        this.#stats.badBytes += 1;
        this.#buf.consume(1);
        this.#reset();
        continue;
      }
      this.#out.push({ data: this.#buf.take(r), receivedAt });
      this.#stats.frames++;
      this.#reset();
    }
  }

  next(): JpegFrame | undefined {
    return this.#out.shift();
  }

  stats(): { badBytes: number; frames: number } {
    return { ...this.#stats };
  }

  #reset(): void {
    this.#pos = 0;
    this.#inScan = false;
  }

  /** Returns the frame length when complete, 'need' for more bytes, 'bad' to drop one byte. */
  #parse(): number | 'need' | 'bad' {
    const b = this.#buf.view();
    const n = b.length;
    if (this.#pos === 0) {
      // Hunt for SOI.
      let i = 0;
      while (i + 1 < n && !(b[i] === 0xff && b[i + 1] === 0xd8)) i++;
      if (i > 0) {
        this.#stats.badBytes += i;
        this.#buf.consume(i);
        return this.#parse();
      }
      if (n < 2) return 'need';
      this.#pos = 2;
    }
    let p = this.#pos;
    for (;;) {
      if (p > MAX_JPEG) return 'bad';
      if (this.#inScan) {
        while (p + 1 < n && !(b[p] === 0xff && b[p + 1] !== 0x00 && !(b[p + 1]! >= 0xd0 && b[p + 1]! <= 0xd7))) p++;
        if (p + 1 >= n) {
          this.#pos = p;
          return 'need';
        }
        this.#inScan = false;
        continue; // b[p] = FF, b[p+1] = a real marker
      }
      if (p + 1 >= n) {
        this.#pos = p;
        return 'need';
      }
      if (b[p] !== 0xff) return 'bad';
      const m = b[p + 1]!;
      if (m === 0xff) {
        p++; // fill byte
        continue;
      }
      if (m === 0xd9) return p + 2; // EOI
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        if (m === 0xd8) return 'bad'; // SOI inside a frame: the previous one was cut short
        p += 2;
        continue;
      }
      if (p + 3 >= n) {
        this.#pos = p;
        return 'need';
      }
      const len = (b[p + 2]! << 8) | b[p + 3]!;
      if (len < 2) return 'bad';
      if (p + 2 + len > n) {
        this.#pos = p;
        return 'need';
      }
      p += 2 + len;
      if (m === 0xda) this.#inScan = true; // SOS: entropy-coded data follows its header
    }
  }
}

/** Width and height from the first SOFn marker (T.81 §B.2.2), or undefined if there is none. */
export function jpegDimensions(b: Uint8Array): { width: number; height: number } | undefined {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1]!;
    if (m === 0xff) {
      p++;
      continue;
    }
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { height: (b[p + 5]! << 8) | b[p + 6]!, width: (b[p + 7]! << 8) | b[p + 8]! };
    if (m === 0xda || len < 2) return undefined;
    p += 2 + len;
  }
  return undefined;
}
