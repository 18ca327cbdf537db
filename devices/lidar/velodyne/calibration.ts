/**
 * Per-model laser tables from Velodyne's published data (no per-unit calibration file needed for
 * these two models: their lasers have no rotational or distance corrections).
 *
 * - VLP-16 User Manual 63-9243 Rev D, Table 9-1 "Laser ID and vertical angle": lasers fire in
 *   the order 0..15 at −15, +1, −13, +3, … +15°; 2.304 µs apart; a firing sequence is 55.296 µs and
 *   each data block holds two sequences (110.592 µs). §9.5 "Precision azimuth calculation".
 * - HDL-32E User Manual 63-9113 Rev M, Table "Laser ID and vertical angle": −30.67° … +10.67°,
 *   one firing of all 32 lasers per block, 46.08 µs per block, lasers fired in pairs 1.152 µs apart
 *   (the ros-drivers timing table uses the same figures).
 * Distances are u16 in 2 mm units for both (§9.3.1.4).
 */
export type VelodyneModel = 'VLP-16' | 'HDL-32E';

export interface VelodyneCalibration {
  model: VelodyneModel;
  /** Lasers per firing sequence (16 or 32). */
  lasers: number;
  /** Firing sequences per 32-channel data block (VLP-16: 2, HDL-32E: 1). */
  firingsPerBlock: number;
  /** Elevation of each laser id, degrees. */
  elevationDeg: readonly number[];
  cosElevation: Float64Array;
  sinElevation: Float64Array;
  /** Ring index of each laser id: 0 = lowest beam (the ROS driver's `ring` convention). */
  ring: Uint16Array;
  distanceUnitM: number;
  /** µs between consecutive data blocks. */
  blockUs: number;
  /** µs between firing sequences within a block (VLP-16 only; 0 for HDL-32E). */
  firingUs: number;
  /** µs offset of channel `k` (0..31) from the start of its block. */
  channelUs: Float64Array;
  /** Default valid range, metres (the same defaults as ros-drivers and @foxglove/velodyne-cloud). */
  minRangeM: number;
  maxRangeM: number;
}

const VLP16_ELEVATION = [-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15];
const HDL32E_ELEVATION = [
  -30.67, -9.33, -29.33, -8.0, -28.0, -6.67, -26.67, -5.33, -25.33, -4.0, -24.0, -2.67, -22.67, -1.33, -21.33, 0.0,
  -20.0, 1.33, -18.67, 2.67, -17.33, 4.0, -16.0, 5.33, -14.67, 6.67, -13.33, 8.0, -12.0, 9.33, -10.67, 10.67,
];

function build(model: VelodyneModel): VelodyneCalibration {
  const vlp = model === 'VLP-16';
  const elevationDeg = vlp ? VLP16_ELEVATION : HDL32E_ELEVATION;
  const rad = elevationDeg.map((d) => (d * Math.PI) / 180);
  const order = elevationDeg.map((e, i) => ({ e, i })).sort((a, b) => a.e - b.e);
  const ring = new Uint16Array(elevationDeg.length);
  order.forEach(({ i }, r) => (ring[i] = r));
  const channelUs = new Float64Array(32);
  for (let k = 0; k < 32; k++) {
    // VLP-16: channel k is laser k % 16 of firing k / 16. HDL-32E: lasers fire in pairs.
    channelUs[k] = vlp ? Math.floor(k / 16) * 55.296 + (k % 16) * 2.304 : Math.floor(k / 2) * 1.152;
  }
  return {
    model,
    lasers: elevationDeg.length,
    firingsPerBlock: vlp ? 2 : 1,
    elevationDeg,
    cosElevation: Float64Array.from(rad, Math.cos),
    sinElevation: Float64Array.from(rad, Math.sin),
    ring,
    distanceUnitM: 0.002,
    blockUs: vlp ? 110.592 : 46.08,
    firingUs: vlp ? 55.296 : 0,
    channelUs,
    minRangeM: 0.4,
    maxRangeM: 100,
  };
}

export const VELODYNE_CALIBRATIONS: Readonly<Record<VelodyneModel, VelodyneCalibration>> = {
  'VLP-16': build('VLP-16'),
  'HDL-32E': build('HDL-32E'),
};

/** µs one data packet spans (12 blocks): the spacing of packets in time, used to tell models apart. */
export function packetSpanUs(model: VelodyneModel): number {
  return 12 * VELODYNE_CALIBRATIONS[model].blockUs;
}
