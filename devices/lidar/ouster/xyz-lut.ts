import type { OusterMetadata } from './metadata.ts';

/**
 * Range → XYZ lookup table, the same construction as ouster-sdk `make_xyz_lut` (lidar_scan.cpp):
 * for column v and beam u, encoder θe = 2π − v·2π/W, azimuth θa = −azimuth[u], altitude φ;
 * direction = (cos(θe+θa)·cos φ, sin(θe+θa)·cos φ, sin φ); offset = n·(cos θe, sin θe, 0) − n·direction
 * with n = lidar_origin_to_beam_origin_mm; then both go through `lidar_to_sensor_transform`
 * (rotation, and translation in mm) and are scaled to metres. Point = direction·range + offset,
 * in the sensor frame (x forward, y left, z up — the ROS convention).
 */
export interface XyzLut {
  width: number;
  height: number;
  /** [(v·H + u)·3 + k]: direction (m per mm of range) and offset (m). */
  direction: Float64Array;
  offset: Float64Array;
}

/** One table per metadata object: it costs W·H trig evaluations, and reconnects reuse it. */
const cache = new WeakMap<OusterMetadata, XyzLut>();

export function makeXyzLut(m: OusterMetadata): XyzLut {
  const hit = cache.get(m);
  if (hit) return hit;
  const W = m.width;
  const H = m.height;
  const n = m.beamOriginMm;
  const T = m.lidarToSensor;
  const direction = new Float64Array(W * H * 3);
  const offset = new Float64Array(W * H * 3);
  const unit = 0.001; // mm → m
  for (let v = 0; v < W; v++) {
    const enc = 2 * Math.PI - (v * 2 * Math.PI) / W;
    for (let u = 0; u < H; u++) {
      const az = (-m.azimuthDeg[u]! * Math.PI) / 180;
      const alt = (m.altitudeDeg[u]! * Math.PI) / 180;
      const d = [Math.cos(enc + az) * Math.cos(alt), Math.sin(enc + az) * Math.cos(alt), Math.sin(alt)];
      const o = [Math.cos(enc) * n - d[0]! * n, Math.sin(enc) * n - d[1]! * n, -d[2]! * n];
      const i = (v * H + u) * 3;
      for (let r = 0; r < 3; r++) {
        direction[i + r] = (T[4 * r]! * d[0]! + T[4 * r + 1]! * d[1]! + T[4 * r + 2]! * d[2]!) * unit;
        offset[i + r] = (T[4 * r]! * o[0]! + T[4 * r + 1]! * o[1]! + T[4 * r + 2]! * o[2]! + T[4 * r + 3]!) * unit;
      }
    }
  }
  const lut = { width: W, height: H, direction, offset };
  cache.set(m, lut);
  return lut;
}
