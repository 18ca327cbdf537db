/**
 * The Cyton's 33-byte binary packet (OpenBCI "Cyton Data Format", sensor-protocols §1.3):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0  | 1  | header `0xA0` |
 * | 1  | 1  | sample number 0..255, wrapping |
 * | 2  | 24 | 8 × channel, 24-bit two's complement, MSB first |
 * | 26 | 6  | aux (meaning set by the stop byte) |
 * | 32 | 1  | stop byte `0xC0`..`0xC6` |
 *
 * Stop byte `C0`: aux = accelerometer X, Y, Z as int16 big-endian (25 Hz, so mostly zeros).
 * `C1`/`C2`: user-defined aux. `C3`/`C4`: time-stamped — byte 26 an axis code, 27 its value byte,
 * 28–31 a u32 board time in ms (big-endian). `C5`/`C6`: time-stamped with raw aux.
 */
export const PACKET_BYTES = 33;
export const HEADER = 0xa0;
export const STOP_MIN = 0xc0;
export const STOP_MAX = 0xc6;
export const CHANNELS = 8;

export interface CytonPacket {
  sampleNumber: number;
  /** 8 raw ADC counts (sign-extended). */
  counts: Int32Array;
  stopByte: number;
  /** The 6 aux bytes as sent. */
  aux: Uint8Array;
  /** Accelerometer in g when the stop byte is `C0` and the packet carries a reading (non-zero). */
  accelG?: [number, number, number];
  /** Board clock in ms (stop bytes `C3`–`C6`). */
  boardTimeMs?: number;
}

/** Decodes the packet starting at `b[o]`; the caller has checked header and stop byte. */
export function readPacket(b: Uint8Array, o: number): CytonPacket {
  const counts = new Int32Array(CHANNELS);
  for (let c = 0; c < CHANNELS; c++) {
    const i = o + 2 + 3 * c;
    // Shift into the top of an int32 and back down: sign-extends the 24-bit value.
    counts[c] = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8)) >> 8;
  }
  const aux = new Uint8Array(b.subarray(o + 26, o + 32)); // a copy even when `b` is a Buffer
  const stopByte = b[o + 32]!;
  const packet: CytonPacket = { sampleNumber: b[o + 1]!, counts, stopByte, aux };
  if (stopByte === 0xc0) {
    const x = ((aux[0]! << 24) | (aux[1]! << 16)) >> 16;
    const y = ((aux[2]! << 24) | (aux[3]! << 16)) >> 16;
    const z = ((aux[4]! << 24) | (aux[5]! << 16)) >> 16;
    // BrainFlow keeps the last non-zero reading: zeros mean "no accelerometer sample in this packet".
    if (x !== 0 || y !== 0 || z !== 0) packet.accelG = [x * 0.000125, y * 0.000125, z * 0.000125];
  } else if (stopByte >= 0xc3) {
    packet.boardTimeMs = ((aux[2]! << 24) >>> 0) + (aux[3]! << 16) + (aux[4]! << 8) + aux[5]!;
  }
  return packet;
}

/** Builds a packet (the simulator's wire mode and the re-encoding tests use it). */
export function encodePacket(sampleNumber: number, counts: ArrayLike<number>, options: { stopByte?: number; aux?: ArrayLike<number> } = {}): Uint8Array {
  const b = new Uint8Array(PACKET_BYTES);
  b[0] = HEADER;
  b[1] = sampleNumber & 0xff;
  for (let c = 0; c < CHANNELS; c++) {
    const v = (counts[c] ?? 0) & 0xffffff;
    b[2 + 3 * c] = v >> 16;
    b[3 + 3 * c] = (v >> 8) & 0xff;
    b[4 + 3 * c] = v & 0xff;
  }
  if (options.aux) for (let i = 0; i < 6; i++) b[26 + i] = (options.aux[i] ?? 0) & 0xff;
  b[32] = options.stopByte ?? 0xc0;
  return b;
}

/** Accelerometer g → the 6 aux bytes of a `C0` packet (int16 BE per axis). */
export function accelAux(g: readonly [number, number, number]): number[] {
  return g.flatMap((v) => {
    const n = Math.max(-32768, Math.min(32767, Math.round(v / 0.000125))) & 0xffff;
    return [n >> 8, n & 0xff];
  });
}
