/**
 * Velodyne UDP packet layouts (VLP-16 User Manual 63-9243 Rev D §9.3; sensor-protocols §3.1).
 *
 * Data packet, 1206-byte payload to port 2368: 12 blocks × 100 bytes (`FF EE`, azimuth u16 LE in
 * 0.01°, 32 × {distance u16 LE (2 mm), reflectivity u8}), then a u32 LE timestamp in µs past the
 * top of the hour (byte 1200), return mode (1204: 0x37 strongest, 0x38 last, 0x39 dual) and
 * product id (1205). Position packet, 512-byte payload to port 8308: u32 LE timestamp at 198, PPS
 * status at 202, NMEA `$GPRMC…` from 206, NUL-padded (§9.4).
 */
export const DATA_PORT = 2368;
export const POSITION_PORT = 8308;
export const DATA_PACKET_BYTES = 1206;
export const POSITION_PACKET_BYTES = 512;
export const BLOCKS = 12;
export const BLOCK_BYTES = 100;
export const CHANNELS_PER_BLOCK = 32;
/** `FF EE` read as u16 LE. HDL-64 upper blocks use `FF DD`; they are not decoded here. */
export const BLOCK_FLAG = 0xeeff;

export const RETURN_MODES: Readonly<Record<number, 'strongest' | 'last' | 'dual'>> = { 0x37: 'strongest', 0x38: 'last', 0x39: 'dual' };

/** Whether a datagram has the shape of a data packet: length 1206 and every block flag `FF EE`. */
export function isDataPacket(p: Uint8Array): boolean {
  if (p.length !== DATA_PACKET_BYTES) return false;
  for (let b = 0; b < BLOCKS; b++) if (p[b * BLOCK_BYTES] !== 0xff || p[b * BLOCK_BYTES + 1] !== 0xee) return false;
  return true;
}

/** Timestamp field of a data packet: µs past the top of the hour. */
export function packetTimeUs(p: Uint8Array): number {
  return (p[1200]! | (p[1201]! << 8) | (p[1202]! << 16)) + p[1203]! * 0x1000000;
}

export interface VelodynePosition {
  /** µs past the top of the hour. */
  timeUs: number;
  /** 0 none, 1 synchronizing, 2 locked, 3 error (manual §9.4). */
  ppsStatus: number;
  /** The `$GPRMC` sentence, or '' when no GPS is attached. */
  nmea: string;
}

/** Parses a position packet; `undefined` if the datagram is not one (wrong length). */
export function parsePositionPacket(p: Uint8Array): VelodynePosition | undefined {
  if (p.length !== POSITION_PACKET_BYTES) return undefined;
  const timeUs = (p[198]! | (p[199]! << 8) | (p[200]! << 16)) + p[201]! * 0x1000000;
  let end = 206;
  while (end < p.length && p[end] !== 0) end++;
  let nmea = '';
  for (let i = 206; i < end; i++) {
    const c = p[i]!;
    if (c < 0x20 || c > 0x7e) {
      if (c === 0x0d || c === 0x0a) continue;
      nmea = '';
      break; // not ASCII: treat as absent rather than guess
    }
    nmea += String.fromCharCode(c);
  }
  return { timeUs, ppsStatus: p[202]!, nmea };
}
