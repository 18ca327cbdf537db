import type { OusterMetadata, OusterProfile } from './metadata.ts';

/**
 * Ouster lidar packet layouts (ouster-sdk `ouster_client/src/parsing.cpp` field tables; sensor-protocols
 * §3.2). LEGACY: 16 columns of `u64 ts_ns, u16 measurement_id, u16 frame_id, u32 encoder` + H × 12 B
 * pixels + `u32 status` (0xFFFFFFFF = valid), no packet header. Other profiles: a 32 B packet header
 * (`u16 packet_type, u16 frame_id, u24 init_id, u40 serial`, …), columns of `u64 ts_ns,
 * u16 measurement_id, u16 status` (bit 0 = valid) + H × pixel, and a 32 B footer.
 */
interface ProfileLayout {
  pixelBytes: number;
  columnHeader: number;
  packetHeader: number;
  packetFooter: number;
}

const LAYOUTS: Readonly<Record<OusterProfile, ProfileLayout>> = {
  LEGACY: { pixelBytes: 12, columnHeader: 16, packetHeader: 0, packetFooter: 0 },
  RNG19_RFL8_SIG16_NIR16: { pixelBytes: 12, columnHeader: 12, packetHeader: 32, packetFooter: 32 },
  RNG19_RFL8_SIG16_NIR16_DUAL: { pixelBytes: 16, columnHeader: 12, packetHeader: 32, packetFooter: 32 },
  RNG15_RFL8_NIR8: { pixelBytes: 4, columnHeader: 12, packetHeader: 32, packetFooter: 32 },
};

export function lidarPacketBytes(m: Pick<OusterMetadata, 'profile' | 'height' | 'columnsPerPacket'>): number {
  const l = LAYOUTS[m.profile];
  const legacyStatus = m.profile === 'LEGACY' ? 4 : 0;
  return l.packetHeader + m.columnsPerPacket * (l.columnHeader + m.height * l.pixelBytes + legacyStatus) + l.packetFooter;
}

export interface OusterColumn {
  timestampNs: bigint;
  measurementId: number;
  frameId: number;
  valid: boolean;
  /** Per beam: range (mm), reflectivity, signal, near-IR (first return). */
  range: Uint32Array;
  reflectivity: Uint16Array;
  signal: Uint16Array;
  nearIr: Uint16Array;
}

/**
 * Splits one lidar packet into columns. Returns `undefined` if the size does not match the
 * metadata (the caller counts it as a bad packet).
 */
export function parseLidarPacket(p: Uint8Array, m: Pick<OusterMetadata, 'profile' | 'height' | 'columnsPerPacket'>): OusterColumn[] | undefined {
  if (p.length !== lidarPacketBytes(m)) return undefined;
  const l = LAYOUTS[m.profile];
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const H = m.height;
  const legacy = m.profile === 'LEGACY';
  const packetFrame = legacy ? 0 : dv.getUint16(2, true);
  const colBytes = l.columnHeader + H * l.pixelBytes + (legacy ? 4 : 0);
  const cols: OusterColumn[] = [];
  for (let c = 0; c < m.columnsPerPacket; c++) {
    const o = l.packetHeader + c * colBytes;
    const ts = dv.getBigUint64(o, true);
    const mid = dv.getUint16(o + 8, true);
    const frameId = legacy ? dv.getUint16(o + 10, true) : packetFrame;
    const valid = legacy ? dv.getUint32(o + colBytes - 4, true) === 0xffffffff : (dv.getUint16(o + 10, true) & 1) === 1;
    const range = new Uint32Array(H);
    const reflectivity = new Uint16Array(H);
    const signal = new Uint16Array(H);
    const nearIr = new Uint16Array(H);
    for (let i = 0; i < H; i++) {
      const px = o + l.columnHeader + i * l.pixelBytes;
      switch (m.profile) {
        case 'LEGACY':
          range[i] = dv.getUint32(px, true) & 0x000fffff;
          reflectivity[i] = dv.getUint16(px + 4, true);
          signal[i] = dv.getUint16(px + 6, true);
          nearIr[i] = dv.getUint16(px + 8, true);
          break;
        case 'RNG19_RFL8_SIG16_NIR16':
          range[i] = dv.getUint32(px, true) & 0x0007ffff;
          reflectivity[i] = p[px + 4]!;
          signal[i] = dv.getUint16(px + 6, true);
          nearIr[i] = dv.getUint16(px + 8, true);
          break;
        case 'RNG19_RFL8_SIG16_NIR16_DUAL':
          range[i] = dv.getUint32(px, true) & 0x0007ffff;
          reflectivity[i] = p[px + 3]!;
          signal[i] = dv.getUint16(px + 8, true);
          nearIr[i] = dv.getUint16(px + 12, true);
          break;
        case 'RNG15_RFL8_NIR8':
          range[i] = (dv.getUint16(px, true) & 0x7fff) * 8;
          reflectivity[i] = p[px + 2]!;
          nearIr[i] = p[px + 3]! * 16;
          break;
      }
    }
    cols.push({ timestampNs: ts, measurementId: mid, frameId, valid, range, reflectivity, signal, nearIr });
  }
  return cols;
}

/** IMU packet, 48 bytes: 3 × u64 ns (system, accel, gyro), accel xyz (g), gyro xyz (°/s) as f32 LE. */
export interface OusterImu {
  systemNs: bigint;
  accelNs: bigint;
  gyroNs: bigint;
  accelG: [number, number, number];
  gyroDps: [number, number, number];
}

export const IMU_PACKET_BYTES = 48;

export function parseImuPacket(p: Uint8Array): OusterImu | undefined {
  if (p.length !== IMU_PACKET_BYTES) return undefined;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const f = (o: number): number => dv.getFloat32(o, true);
  return {
    systemNs: dv.getBigUint64(0, true),
    accelNs: dv.getBigUint64(8, true),
    gyroNs: dv.getBigUint64(16, true),
    accelG: [f(24), f(28), f(32)],
    gyroDps: [f(36), f(40), f(44)],
  };
}
