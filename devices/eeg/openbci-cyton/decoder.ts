import type { FrameDecoder } from '../../../src/core/device.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import { ByteAccumulator } from '../../formats/byte-accumulator.ts';
import { HEADER, PACKET_BYTES, STOP_MAX, STOP_MIN, readPacket, type CytonPacket } from './packet.ts';

/** What the serial byte stream carries: binary sample packets, or ASCII replies ending in `$$$`. */
export type CytonMessage =
  | ({ type: 'packet'; receivedAt: TimestampNs } & CytonPacket)
  | { type: 'text'; text: string; receivedAt: TimestampNs };

export interface CytonDecoderStats {
  badBytes: number;
  frames: number;
  /** Packets missing according to the 8-bit sample counter. */
  dropped: number;
  texts: number;
}

/** Longest reply we wait for (`?` register dump is ~1.3 kB); longer "text" is noise. */
const MAX_TEXT = 2048;

/**
 * Sans-I/O Cyton byte-stream decoder (serialport 115200 8N1 from the dongle).
 *
 * Framing, after BrainFlow's cyton.cpp but stricter: a packet is `A0` … stop byte `C0`–`C6` 32 bytes
 * later. While in sync, the next packet must start right after the previous one. When hunting
 * (start of stream, after garbage) a candidate is only accepted if the byte after it is `A0` too,
 * so a stray `A0 … C2` inside noise does not produce a fake sample. ASCII replies to commands
 * (the `v` banner, `C` "16 channels selected", `?`) end in `$$$` and come out as `text` messages;
 * other skipped bytes are counted in `badBytes`. Counter gaps are counted in `dropped`.
 */
export class CytonDecoder implements FrameDecoder<CytonMessage> {
  readonly #buf = new ByteAccumulator(4096);
  readonly #out: CytonMessage[] = [];
  #synced = false;
  #text = '';
  #lastReceived: TimestampNs = 0n;
  #lastCounter = -1;
  #stats: CytonDecoderStats = { badBytes: 0, frames: 0, dropped: 0, texts: 0 };

  push(bytes: Uint8Array, receivedAt: TimestampNs): void {
    this.#buf.append(bytes);
    this.#lastReceived = receivedAt;
    this.#scan(false);
  }

  next(): CytonMessage | undefined {
    return this.#out.shift();
  }

  /** End of input: a candidate waiting for its successor's header is accepted on its own checks. */
  flush(): void {
    this.#scan(true);
  }

  /** Forget the counter (after a stop/start or reconnect the board restarts it; that is not a loss). */
  resetCounter(): void {
    this.#lastCounter = -1;
  }

  stats(): CytonDecoderStats {
    return { ...this.#stats };
  }

  #scan(final: boolean): void {
    const buf = this.#buf;
    for (;;) {
      const n = buf.length;
      if (n === 0) return;
      const b0 = buf.at(0);
      if (b0 === HEADER) {
        if (n < PACKET_BYTES) return;
        const stop = buf.at(PACKET_BYTES - 1);
        if (stop >= STOP_MIN && stop <= STOP_MAX) {
          if (!this.#synced && !final) {
            if (n < PACKET_BYTES + 1) return; // wait for the next header to confirm
            if (buf.at(PACKET_BYTES) !== HEADER) {
              this.#skip(1);
              continue;
            }
          }
          this.#emitPacket();
          continue;
        }
        this.#synced = false;
        this.#skip(1);
        continue;
      }
      this.#synced = false;
      this.#skip(1, b0);
    }
  }

  #emitPacket(): void {
    const view = this.#buf.view();
    const p = readPacket(view, 0);
    this.#buf.consume(PACKET_BYTES);
    this.#synced = true;
    this.#flushTextAsBad();
    if (this.#lastCounter >= 0) this.#stats.dropped += (p.sampleNumber - this.#lastCounter - 1 + 256) % 256;
    this.#lastCounter = p.sampleNumber;
    this.#stats.frames++;
    this.#out.push({ type: 'packet', receivedAt: this.#lastReceived, ...p });
  }

  /** Skips `n` bytes; printable ones are collected as a possible `$$$` reply instead of counted. */
  #skip(n: number, byte = -1): void {
    this.#buf.consume(n);
    const printable = byte === 0x0a || byte === 0x0d || byte === 0x09 || (byte >= 0x20 && byte < 0x7f);
    if (!printable) {
      this.#flushTextAsBad();
      this.#stats.badBytes += n;
      return;
    }
    this.#text += String.fromCharCode(byte);
    if (this.#text.endsWith('$$$')) {
      this.#stats.texts++;
      this.#out.push({ type: 'text', text: this.#text.slice(0, -3), receivedAt: this.#lastReceived });
      this.#text = '';
    } else if (this.#text.length > MAX_TEXT) {
      this.#flushTextAsBad();
    }
  }

  #flushTextAsBad(): void {
    this.#stats.badBytes += this.#text.length;
    this.#text = '';
  }
}
