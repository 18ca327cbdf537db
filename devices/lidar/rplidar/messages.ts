import type { TimestampNs } from '../../../src/core/time.ts';

/** One measurement (standard node, or one unpacked from an express capsule). */
export interface RplidarNode {
  type: 'node';
  /** First node of a new 360° scan. */
  start: boolean;
  /** 0–63 (express nodes: 47 when there is a return, 0 otherwise, as the SDK reports). */
  quality: number;
  /** Clockwise from the sensor's front, degrees [0, 360). */
  angleDeg: number;
  /** 0 = no valid measurement. */
  distanceMm: number;
  receivedAt: TimestampNs;
}

export interface RplidarInfo {
  type: 'info';
  model: number;
  firmware: string;
  hardware: number;
  serial: string;
  receivedAt: TimestampNs;
}

export interface RplidarHealth {
  type: 'health';
  /** 0 good, 1 warning, 2 error. */
  status: number;
  errorCode: number;
  receivedAt: TimestampNs;
}

export interface RplidarSampleRate {
  type: 'samplerate';
  standardUs: number;
  expressUs: number;
  receivedAt: TimestampNs;
}

/** Any other single response (LIDAR_CONF, ACC_BOARD_FLAG…), passed through raw. */
export interface RplidarResponse {
  type: 'response';
  dataType: number;
  payload: Uint8Array;
  receivedAt: TimestampNs;
}

export type RplidarMessage = RplidarNode | RplidarInfo | RplidarHealth | RplidarSampleRate | RplidarResponse;
