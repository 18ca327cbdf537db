import type { LaserScan } from '../../../src/core/sample.ts';
import { VELODYNE_CALIBRATIONS } from '../../lidar/velodyne/calibration.ts';
import { BLOCKS, BLOCK_BYTES, DATA_PACKET_BYTES } from '../../lidar/velodyne/packet.ts';

const VLP16 = VELODYNE_CALIBRATIONS['VLP-16'];
/** Laser 1 fires at +1°: the simulator's planar scan rides on it (the ring nearest horizontal). */
const LASER = 1;
const COS = Math.cos((VLP16.elevationDeg[LASER]! * Math.PI) / 180);
/** Packets per 10 Hz revolution: 12 blocks × 110.592 µs each; 75 packets = 99.5 ms. */
export const PACKETS_PER_SWEEP = 75;

/**
 * Turns one planar scan of the simulator into the VLP-16 data packets (manual 63-9243 §9.3) a real
 * sensor spinning at 600 rpm would send for that revolution: azimuth from 0° at the sweep's
 * device time, blocks 110.592 µs apart, the scan's range on laser 1 (+1°, stored as r / cos 1° so
 * the horizontal distance is r), every other channel "no return", timestamp = µs past the hour.
 * The scan is counter-clockwise from +x (REP 103); Velodyne azimuth is clockwise, so α = −θ.
 */
export function encodeSweep(scan: LaserScan, deviceUs: number): Uint8Array[] {
  const blocks = PACKETS_PER_SWEEP * BLOCKS;
  const bins = scan.ranges.length;
  const out: Uint8Array[] = [];
  for (let p = 0; p < PACKETS_PER_SWEEP; p++) {
    const pkt = new Uint8Array(DATA_PACKET_BYTES);
    const dv = new DataView(pkt.buffer);
    for (let b = 0; b < BLOCKS; b++) {
      const blk = p * BLOCKS + b;
      const azDeg = (360 * blk) / blocks;
      const base = b * BLOCK_BYTES;
      pkt[base] = 0xff;
      pkt[base + 1] = 0xee;
      dv.setUint16(base + 2, Math.round(azDeg * 100) % 36000, true);
      for (let firing = 0; firing < 2; firing++) {
        // The second firing of a block is half a block later: half the azimuth step further.
        const a = azDeg + (firing * 180) / blocks;
        const theta = (360 - a) % 360;
        const r = scan.ranges[Math.round((theta / 360) * bins) % bins] ?? 0;
        const raw = r > 0 ? Math.min(65535, Math.round(r / COS / VLP16.distanceUnitM)) : 0;
        const o = base + 4 + 3 * (firing * 16 + LASER);
        dv.setUint16(o, raw, true);
        pkt[o + 2] = raw ? 100 : 0;
      }
    }
    const us = Math.floor(deviceUs + p * 12 * VLP16.blockUs) % 3_600_000_000;
    dv.setUint32(1200, us, true);
    pkt[1204] = 0x37; // strongest return
    pkt[1205] = 0x22; // VLP-16
    out.push(pkt);
  }
  return out;
}
