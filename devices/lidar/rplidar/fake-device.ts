import type { MockSerialDevice, MockSerialPorts } from '../../transport/serial/serial-transport.ts';
import { encodeCapsule } from './capsule.ts';
import { ANS, CMD, encodeDescriptor } from './protocol.ts';

/**
 * The sensor end of a mock serial port, answering like an RPLIDAR A1 (protocol notes §2): health,
 * info, SCAN / EXPRESS_SCAN descriptors; the motor follows DTR. No timers — `rotate(n)` emits the
 * next `n` measurements, so tests run on a ManualClock.
 */
export class FakeRplidar {
  readonly device: MockSerialDevice;
  /** Range (mm) seen at `angleDeg` (clockwise); 0 = no return. Default: a 2 m circle. */
  readonly #range: (angleDeg: number) => number;
  #mode: 'idle' | 'scan' | 'express' = 'idle';
  #angle = 0;
  #sentStart = false;
  readonly received: number[] = [];
  /** Measurements per revolution (A1: ~360 at 5.5 Hz and 2 kHz). */
  readonly perRev = 360;

  constructor(ports: MockSerialPorts, path: string, range: (angleDeg: number) => number = () => 2000) {
    this.#range = range;
    this.device = ports.createDevice(path, { onHostWrite: (b) => this.#onWrite(b) });
  }

  get spinning(): boolean {
    return this.device.open && this.device.lines.dtr === false;
  }

  /** Emits the next `n` measurements (standard nodes, or capsules of 32) if scanning and spinning. */
  rotate(n: number): void {
    if (this.#mode === 'idle' || !this.spinning) return;
    const step = 360 / this.perRev;
    const out: number[] = [];
    if (this.#mode === 'scan') {
      for (let i = 0; i < n; i++) {
        const a = this.#angle;
        this.#angle = (this.#angle + step) % 360;
        const start = !this.#sentStart || this.#angle < step;
        this.#sentStart = true;
        const q6 = Math.round(a * 64);
        const d = Math.round(this.#range(a) * 4);
        out.push(((d ? 47 : 0) << 2) | (start ? 1 : 2), ((q6 & 0x7f) << 1) | 1, q6 >> 7, d & 0xff, d >> 8);
      }
    } else {
      for (let k = 0; k < Math.ceil(n / 32); k++) {
        const a = this.#angle;
        const cabins = Array.from({ length: 16 }, (_, c) => ({ d1Mm: this.#range((a + 2 * c * step) % 360), d2Mm: this.#range((a + (2 * c + 1) * step) % 360), off1Q3: 0, off2Q3: 0 }));
        out.push(...encodeCapsule(Math.round(a * 64), !this.#sentStart, cabins));
        this.#sentStart = true;
        this.#angle = (this.#angle + 32 * step) % 360;
      }
    }
    this.device.emit(Uint8Array.from(out));
  }

  #onWrite(b: Uint8Array): void {
    if (b[0] !== 0xa5) return;
    const cmd = b[1]!;
    this.received.push(cmd);
    const reply = (...parts: Uint8Array[]): void => {
      for (const p of parts) this.device.emit(p);
    };
    switch (cmd) {
      case CMD.STOP:
      case CMD.RESET:
        this.#mode = 'idle';
        break;
      case CMD.GET_HEALTH:
        reply(encodeDescriptor({ length: 3, mode: 0, dataType: ANS.DEVHEALTH }), Uint8Array.of(0, 0, 0));
        break;
      case CMD.GET_INFO:
        // model 0x18 (A1M8), firmware 1.29, hardware 7, serial 00..0F
        reply(encodeDescriptor({ length: 20, mode: 0, dataType: ANS.DEVINFO }), Uint8Array.from([0x18, 29, 1, 7, ...Array.from({ length: 16 }, (_, i) => i)]));
        break;
      case CMD.SCAN:
      case CMD.FORCE_SCAN:
        this.#mode = 'scan';
        this.#sentStart = false;
        reply(encodeDescriptor({ length: 5, mode: 1, dataType: ANS.MEASUREMENT }));
        break;
      case CMD.EXPRESS_SCAN:
        this.#mode = 'express';
        this.#sentStart = false;
        reply(encodeDescriptor({ length: 84, mode: 1, dataType: ANS.MEASUREMENT_CAPSULED }));
        break;
    }
  }
}
