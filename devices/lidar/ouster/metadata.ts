import { DecodeError } from '../../../src/core/errors.ts';

/**
 * The sensor metadata an Ouster pcap or live stream needs (ouster-sdk `ouster_client/src/metadata.cpp`
 * `parse_metadata`; sensor-protocols §3.2). Two JSON layouts exist: the flat one of firmware ≤ 2.1
 * (`beam_altitude_angles`, `data_format`, … at the top level, like the fixture) and the nested one
 * of firmware ≥ 2.2 (`sensor_info`, `beam_intrinsics`, `lidar_data_format`, `config_params`).
 */
export type OusterProfile = 'LEGACY' | 'RNG19_RFL8_SIG16_NIR16' | 'RNG19_RFL8_SIG16_NIR16_DUAL' | 'RNG15_RFL8_NIR8';
export const OUSTER_PROFILES: readonly OusterProfile[] = ['LEGACY', 'RNG19_RFL8_SIG16_NIR16', 'RNG19_RFL8_SIG16_NIR16_DUAL', 'RNG15_RFL8_NIR8'];

export interface OusterMetadata {
  prodLine: string;
  serial: string;
  firmware: string;
  /** Beams (pixels per column). */
  height: number;
  /** Columns per frame (512, 1024, 2048). */
  width: number;
  columnsPerPacket: number;
  columnWindow: [number, number];
  profile: OusterProfile;
  /** Degrees, beam 0 first (top beam). */
  altitudeDeg: number[];
  azimuthDeg: number[];
  /** Beam origin offset from the lidar axis, mm (`lidar_origin_to_beam_origin_mm`). */
  beamOriginMm: number;
  /** Row-major 4×4, translation in mm. */
  lidarToSensor: number[];
  imuToSensor: number[];
  /** Frames per second from `lidar_mode` (e.g. 1024x10 → 10). */
  rateHz: number;
  udpPortLidar: number;
  udpPortImu: number;
}

type Json = Record<string, unknown>;

export function parseOusterMetadata(text: string): OusterMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DecodeError('Ouster metadata is not JSON', { code: 'E_OUSTER_METADATA', cause: err });
  }
  if (typeof raw !== 'object' || raw === null) throw bad('top level', 'an object');
  const top = raw as Json;
  const info = obj(top['sensor_info']) ?? top;
  const beams = obj(top['beam_intrinsics']) ?? top;
  const fmt = obj(top['lidar_data_format']) ?? obj(top['data_format']);
  const cfg = obj(top['config_params']) ?? {};
  if (!fmt) throw bad('data_format', 'an object');
  const height = int(fmt['pixels_per_column'], 'pixels_per_column');
  const width = int(fmt['columns_per_frame'], 'columns_per_frame');
  const altitudeDeg = nums(beams['beam_altitude_angles'], 'beam_altitude_angles', height);
  const azimuthDeg = nums(beams['beam_azimuth_angles'], 'beam_azimuth_angles', height);
  const profileRaw = fmt['udp_profile_lidar'] ?? cfg['udp_profile_lidar'] ?? 'LEGACY';
  if (!OUSTER_PROFILES.includes(profileRaw as OusterProfile)) throw bad('udp_profile_lidar', `one of ${OUSTER_PROFILES.join(', ')} (got ${JSON.stringify(profileRaw)})`);
  const mode = String(cfg['lidar_mode'] ?? top['lidar_mode'] ?? `${width}x10`);
  const rateHz = Number(/x(\d+)$/.exec(mode)?.[1] ?? 10);
  const window = Array.isArray(fmt['column_window']) ? (fmt['column_window'] as number[]) : [0, width - 1];
  const transform = (v: unknown, name: string): number[] => (v === undefined ? [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] : nums(v, name, 16));
  const lidarTf = obj(top['lidar_intrinsics'])?.['lidar_to_sensor_transform'] ?? top['lidar_to_sensor_transform'];
  const imuTf = obj(top['imu_intrinsics'])?.['imu_to_sensor_transform'] ?? top['imu_to_sensor_transform'];
  return {
    prodLine: String(info['prod_line'] ?? ''),
    serial: String(info['prod_sn'] ?? ''),
    firmware: String(info['build_rev'] ?? info['image_rev'] ?? ''),
    height,
    width,
    columnsPerPacket: int(fmt['columns_per_packet'] ?? 16, 'columns_per_packet'),
    columnWindow: [Number(window[0] ?? 0), Number(window[1] ?? width - 1)],
    profile: profileRaw as OusterProfile,
    altitudeDeg,
    azimuthDeg,
    beamOriginMm: Number(beams['lidar_origin_to_beam_origin_mm'] ?? 0),
    lidarToSensor: transform(lidarTf, 'lidar_to_sensor_transform'),
    imuToSensor: transform(imuTf, 'imu_to_sensor_transform'),
    rateHz: rateHz > 0 ? rateHz : 10,
    udpPortLidar: Number(cfg['udp_port_lidar'] ?? 7502),
    udpPortImu: Number(cfg['udp_port_imu'] ?? 7503),
  };
}

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function int(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(name, 'a positive integer');
  return v;
}

function nums(v: unknown, name: string, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw bad(name, `${n} numbers`);
  return v as number[];
}

function bad(field: string, what: string): DecodeError {
  return new DecodeError(`Ouster metadata: ${field} must be ${what}`, { code: 'E_OUSTER_METADATA' });
}
