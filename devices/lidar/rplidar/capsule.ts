import { CAPSULE_BYTES } from './protocol.ts';

/**
 * Express-scan legacy capsule, 84 bytes (SDK `sl_lidar_response_capsule_measurement_nodes_t`,
 * `handler_capsules.cpp`; sensor-protocols §2.4): byte 0 = `0xA` sync nibble | checksum[3:0],
 * byte 1 = `0x5` | checksum[7:4], u16 LE start angle q6 with bit 15 = new scan, then 16 cabins of
 * `u16 distance_angle_1, u16 distance_angle_2, u8 offset_angles_q3`. Checksum = XOR of bytes 2..83.
 */
export interface Capsule {
  start: boolean;
  startAngleQ6: number;
  cabins: Uint8Array;
}

export function readCapsule(b: Uint8Array, o: number): Capsule | undefined {
  const b0 = b[o]!;
  const b1 = b[o + 1]!;
  if (b0 >> 4 !== 0xa || b1 >> 4 !== 0x5) return undefined;
  let x = 0;
  for (let i = 2; i < CAPSULE_BYTES; i++) x ^= b[o + i]!;
  if (x !== ((b0 & 0x0f) | ((b1 & 0x0f) << 4))) return undefined;
  const w = b[o + 2]! | (b[o + 3]! << 8);
  return { start: (w & 0x8000) !== 0, startAngleQ6: w & 0x7fff, cabins: new Uint8Array(b.subarray(o + 4, o + CAPSULE_BYTES)) };
}

export interface UnpackedNode {
  start: boolean;
  quality: number;
  angleDeg: number;
  distanceMm: number;
}

/**
 * The 32 measurements of `prev`, whose angles are spread over the arc up to `next`'s start angle
 * (fixed-point arithmetic exactly as the SDK's `_capsuleToNormal`, so results match it bit for bit).
 */
export function unpackCapsule(prev: Capsule, next: Capsule): UnpackedNode[] {
  const cur8 = next.startAngleQ6 << 2;
  const prev8 = prev.startAngleQ6 << 2;
  let diff8 = cur8 - prev8;
  if (prev8 > cur8) diff8 += 360 << 8;
  const inc16 = diff8 << 3;
  let raw16 = prev8 << 8;
  const out: UnpackedNode[] = [];
  const c = prev.cabins;
  for (let k = 0; k < 16; k++) {
    const da1 = c[5 * k]! | (c[5 * k + 1]! << 8);
    const da2 = c[5 * k + 2]! | (c[5 * k + 3]! << 8);
    const off = c[5 * k + 4]!;
    const offs = [(off & 0x0f) | ((da1 & 3) << 4), (off >> 4) | ((da2 & 3) << 4)];
    const dists = [da1 & 0xfffc, da2 & 0xfffc];
    for (let j = 0; j < 2; j++) {
      let q6 = (raw16 - (offs[j]! << 13)) >> 10;
      const sync = (raw16 + inc16) % (360 << 16) < inc16;
      raw16 += inc16;
      if (q6 < 0) q6 += 360 << 6;
      if (q6 >= 360 << 6) q6 -= 360 << 6;
      const d = dists[j]!;
      out.push({ start: sync, quality: d ? 47 : 0, angleDeg: q6 / 64, distanceMm: d / 4 });
    }
  }
  return out;
}

/** Builds a capsule (tests and fakes): checksum and sync nibbles filled in. */
export function encodeCapsule(startAngleQ6: number, start: boolean, cabins: { d1Mm: number; d2Mm: number; off1Q3: number; off2Q3: number }[]): Uint8Array {
  const b = new Uint8Array(CAPSULE_BYTES);
  const w = (startAngleQ6 & 0x7fff) | (start ? 0x8000 : 0);
  b[2] = w & 0xff;
  b[3] = w >> 8;
  cabins.slice(0, 16).forEach((cab, k) => {
    const da1 = ((Math.round(cab.d1Mm * 4) & 0xfffc) | ((cab.off1Q3 >> 4) & 3)) & 0xffff;
    const da2 = ((Math.round(cab.d2Mm * 4) & 0xfffc) | ((cab.off2Q3 >> 4) & 3)) & 0xffff;
    const o = 4 + 5 * k;
    b[o] = da1 & 0xff;
    b[o + 1] = da1 >> 8;
    b[o + 2] = da2 & 0xff;
    b[o + 3] = da2 >> 8;
    b[o + 4] = (cab.off1Q3 & 0x0f) | ((cab.off2Q3 & 0x0f) << 4);
  });
  let x = 0;
  for (let i = 2; i < CAPSULE_BYTES; i++) x ^= b[i]!;
  b[0] = 0xa0 | (x & 0x0f);
  b[1] = 0x50 | (x >> 4);
  return b;
}
