import type { MockSerialDevice, MockSerialPorts } from '../../transport/serial/serial-transport.ts';
import { accelAux, encodePacket } from './packet.ts';
import { uvToCounts } from './scale.ts';

/**
 * The board end of a mock serial port, answering as Cyton firmware v3 does (Cyton SDK): `v` → banner
 * ending `$$$`, `C` → "16 channels selected$$$" (or "no daisy to attach!$$$"), `x…X` → "Success:
 * Channel set for N$$$", `b`/`s` start/stop streaming. It has no timers: the caller says when
 * samples happen (`stream(n)`), so tests run on a ManualClock and the simulator on its own schedule.
 */
export interface FakeCytonOptions {
  /** µV of channel `c` (0-based) at sample `n`. Default: a 10 Hz, 50 µV sine per channel. */
  signal?: (n: number, c: number) => number;
  daisy?: boolean;
  /** Insert a counter gap every `dropEvery` samples (drop tests). Default never. */
  dropEvery?: number;
}

export const BANNER = 'OpenBCI V3 8-16 channel\nOn Board ADS1299 Device ID: 0x3E\nLIS3DH Device ID: 0x33\nFirmware: v3.1.1\n$$$';

export class FakeCytonBoard {
  readonly device: MockSerialDevice;
  readonly #o: FakeCytonOptions;
  #streaming = false;
  #n = 0;
  #pending = '';
  /** Commands received, in order (tests assert the handshake). */
  readonly received: string[] = [];

  constructor(ports: MockSerialPorts, path: string, o: FakeCytonOptions = {}) {
    this.#o = o;
    this.device = ports.createDevice(path, { onHostWrite: (b) => this.#onWrite(b) });
  }

  get streaming(): boolean {
    return this.#streaming && this.device.open;
  }

  /** Emits the next `n` samples as packets in one read (an FTDI latency-timer burst). Returns bytes sent. */
  stream(n: number): number {
    if (!this.streaming) return 0;
    const sig = this.#o.signal ?? ((k: number, c: number) => 50 * Math.sin((2 * Math.PI * 10 * k) / 250 + c));
    const packets: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      if (this.#o.dropEvery && this.#n > 0 && this.#n % this.#o.dropEvery === 0) this.#n++;
      const k = this.#n++;
      const bank = this.#o.daisy ? (k % 2 === 1 ? 0 : 8) : 0;
      // Daisy sample s travels as packets 2s+1 (board, odd) and 2s+2 (daisy, even).
      const s = this.#o.daisy ? (k % 2 === 1 ? (k - 1) / 2 : k / 2 - 1) : k;
      const counts = Array.from({ length: 8 }, (_, c) => uvToCounts(sig(s, bank + c), 24));
      packets.push(encodePacket(k & 0xff, counts, { aux: k % 10 === 0 ? accelAux([0, 0, 1]) : [0, 0, 0, 0, 0, 0] }));
    }
    const bytes = new Uint8Array(packets.length * 33);
    packets.forEach((p, i) => bytes.set(p, i * 33));
    this.device.emit(bytes);
    return bytes.length;
  }

  /**
   * Emits one chunk of given µV values (channel-major, `n` samples per channel) as packets in one
   * read, numbered by the board's own counter: the simulator's wire mode sends its EEG this way.
   */
  streamValues(uv: Float32Array, channels: number): number {
    if (!this.streaming) return 0;
    const n = uv.length / channels;
    const bytes = new Uint8Array(n * 33);
    for (let i = 0; i < n; i++) {
      const k = this.#n++;
      const counts = Array.from({ length: 8 }, (_, c) => (c < channels ? uvToCounts(uv[c * n + i]!, 24) : 0));
      bytes.set(encodePacket(k & 0xff, counts, { aux: k % 10 === 0 ? accelAux([0, 0, 1]) : [0, 0, 0, 0, 0, 0] }), i * 33);
    }
    this.device.emit(bytes);
    return bytes.length;
  }

  #onWrite(bytes: Uint8Array): void {
    this.#pending += new TextDecoder().decode(bytes);
    while (this.#pending.length > 0) {
      const c = this.#pending[0]!;
      if (c === 'x') {
        const end = this.#pending.indexOf('X');
        if (end < 0) return; // wait for the rest of the 9-character command
        const cmd = this.#pending.slice(0, end + 1);
        this.#pending = this.#pending.slice(end + 1);
        this.received.push(cmd);
        this.#reply(`Success: Channel set for ${cmd[1]}$$$`);
        continue;
      }
      this.#pending = this.#pending.slice(1);
      this.received.push(c);
      if (c === 'v') {
        this.#streaming = false;
        this.#n = 0;
        this.#reply(BANNER);
      } else if (c === 'b') {
        this.#streaming = true;
        this.#n = 0;
      } else if (c === 's') this.#streaming = false;
      else if (c === 'C') this.#reply(this.#o.daisy ? 'daisy attached16$$$' : 'no daisy to attach!8$$$');
    }
  }

  #reply(text: string): void {
    this.device.emit(new TextEncoder().encode(text));
  }
}
