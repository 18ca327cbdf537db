import { readFileSync } from 'node:fs';
import { Calibration, FactoryId, Model, PointCloud as FoxCloud, RawPacket, Transformer } from '@foxglove/velodyne-cloud';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../formats/pcap.ts';
import { VelodyneDecoder, inferModel, type VelodyneSweep } from './decoder.ts';
import { DATA_PORT, POSITION_PORT, parsePositionPacket, packetTimeUs } from './packet.ts';

// Real VLP-16 capture (2014, 84 data + 16 position packets), provenance in test/fixtures/velodyne/SOURCE.md.
const pcap = readPcap(readFileSync(new URL('../../../test/fixtures/velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap', import.meta.url)));
const data = pcap.datagrams.filter((d) => d.dstPort === DATA_PORT);
const position = pcap.datagrams.filter((d) => d.dstPort === POSITION_PORT);

function decodeAll(options: ConstructorParameters<typeof VelodyneDecoder>[0]): { sweeps: VelodyneSweep[]; dec: VelodyneDecoder } {
  const dec = new VelodyneDecoder(options);
  const sweeps: VelodyneSweep[] = [];
  for (const d of data) {
    dec.push(d.payload, d.tsNs);
    for (let s = dec.next(); s; s = dec.next()) sweeps.push(s);
  }
  dec.flush();
  for (let s = dec.next(); s; s = dec.next()) sweeps.push(s);
  return { sweeps, dec };
}

/** All points of @foxglove/velodyne-cloud for the same packets, in packet order. */
function foxglovePoints(): Float32Array {
  const transformer = new Transformer(new Calibration(Model.VLP16));
  const out: number[] = [];
  for (const d of data) {
    const raw = new RawPacket(d.payload);
    // The capture predates firmware 3.0.29 and says 0x21 ("HDL-32E"); it is a VLP-16 by its timing
    // (SOURCE.md), so tell the independent decoder the truth, as our decoder infers it.
    raw.factoryId = FactoryId.VLP16;
    const cloud = new FoxCloud({ stamp: 0, maxPoints: RawPacket.MAX_POINTS_PER_PACKET });
    transformer.unpack(raw, 0, 0, cloud);
    for (let i = 0; i < cloud.width; i++) {
      const p = cloud.point(i);
      out.push(p.x, p.y, p.z);
    }
  }
  return Float32Array.from(out);
}

function concat(sweeps: VelodyneSweep[]): Float32Array {
  const all = new Float32Array(sweeps.reduce((n, s) => n + s.cloud.xyz.length, 0));
  let o = 0;
  for (const s of sweeps) {
    all.set(s.cloud.xyz, o);
    o += s.cloud.xyz.length;
  }
  return all;
}

describe('VelodyneDecoder on the real VLP-16 capture', () => {
  it('reads the pcap as the SOURCE note says: 84 data + 16 position packets, first block 250.35°, 3.336 m', () => {
    expect(data).toHaveLength(84);
    expect(position).toHaveLength(16);
    const p = data[0]!.payload;
    expect(p[2]! | (p[3]! << 8)).toBe(25035);
    expect((p[4]! | (p[5]! << 8)) * 2).toBe(3336); // ch0 distance in mm
    expect(p[6]).toBe(44); // ch0 reflectivity
    expect(packetTimeUs(p)).toBe(332917037);
    expect([p[1204], p[1205]]).toEqual([0x37, 0x21]);
  });

  it('infers VLP-16 from packet spacing (1327 µs), not from the misleading product byte', () => {
    expect(inferModel(packetTimeUs(data[1]!.payload) - packetTimeUs(data[0]!.payload))).toBe('VLP-16');
    expect(inferModel(553)).toBe('HDL-32E');
    expect(inferModel(3 * 1327)).toBe('VLP-16');
  });

  it('per-block azimuth: the same points as @foxglove/velodyne-cloud, in the same order, within 1 mm', () => {
    const { sweeps, dec } = decodeAll({ azimuth: 'per-block' });
    const ours = concat(sweeps);
    const theirs = foxglovePoints();
    expect(theirs.length).toBeGreaterThan(20_000);
    expect(ours.length).toBe(theirs.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThan(0.001);
    expect(dec.stats()).toMatchObject({ packets: 84, badPackets: 0, lostPackets: 0 });
    expect(dec.model).toBe('VLP-16');
  });

  it('per-firing azimuth (default): same ranges and heights, each channel rotated forward by its firing time only', () => {
    const ours = concat(decodeAll({}).sweeps);
    const theirs = foxglovePoints();
    expect(ours.length).toBe(theirs.length);
    let maxTurn = 0;
    let minTurn = Infinity;
    let worstZ = 0;
    let worstR = 0;
    for (let i = 0; i < ours.length; i += 3) {
      const [x, y, z] = [ours[i]!, ours[i + 1]!, ours[i + 2]!];
      const [u, v, w] = [theirs[i]!, theirs[i + 1]!, theirs[i + 2]!];
      worstZ = Math.max(worstZ, Math.abs(z - w));
      worstR = Math.max(worstR, Math.abs(Math.hypot(x, y) - Math.hypot(u, v)));
      // Azimuth is clockwise, i.e. negative about +z in the ROS frame: later firings turn further.
      const turn = Math.atan2(u * y - v * x, u * x + v * y) * (-180 / Math.PI);
      maxTurn = Math.max(maxTurn, turn);
      minTurn = Math.min(minTurn, turn);
    }
    expect(worstZ).toBeLessThan(0.001);
    expect(worstR).toBeLessThan(0.001);
    expect(minTurn).toBeGreaterThan(-1e-3);
    // One block spans ~0.4° here; the last channel of the second firing turns by almost that much.
    expect(maxTurn).toBeGreaterThan(0.3);
    expect(maxTurn).toBeLessThan(0.45);
  });

  it('cuts revolutions where the azimuth wraps, and stamps per-point time from the firing table', () => {
    const { sweeps } = decodeAll({});
    expect(sweeps.map((s) => s.complete)).toEqual([false, false]); // 84 packets ≈ 1.1 rev: a partial on each side of one wrap
    const [first, second] = sweeps as [VelodyneSweep, VelodyneSweep];
    // The wrap falls on a packet boundary in this capture, so no packet is shared.
    expect(first.packets + second.packets).toBe(84);
    expect(first.deviceTimeUs).toBe(332917037);
    // Point 0: block 0, channel 0 → offset 0. Offsets are non-decreasing within a sweep and end
    // before the last packet's last firing (12 blocks × 110.592 µs after its stamp).
    const t = first.cloud.timeOffset!;
    expect(t[0]).toBe(0);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]! - 1e-7);
    expect(first.deviceEndUs - first.deviceTimeUs).toBeGreaterThan(0);
    // Point 0 is 3.336 m at 250.35° on laser 0 (−15°): x = d cos ω cos α, y = −d cos ω sin α, z = d sin ω.
    const [x, y, z] = first.cloud.xyz;
    const a = (250.35 * Math.PI) / 180;
    const w = (-15 * Math.PI) / 180;
    expect(x).toBeCloseTo(3.336 * Math.cos(w) * Math.cos(a), 5);
    expect(y).toBeCloseTo(-3.336 * Math.cos(w) * Math.sin(a), 5);
    expect(z).toBeCloseTo(3.336 * Math.sin(w), 5);
    expect(first.cloud.ring?.[0]).toBe(0); // laser 0 (−15°) is the lowest ring
  });

  it('parses the position packets: PPS status 0, no NMEA, µs timestamps near the data packets', () => {
    for (const d of position) {
      const pos = parsePositionPacket(d.payload);
      expect(pos).toMatchObject({ ppsStatus: 0, nmea: '' });
      expect(Math.abs(pos!.timeUs - 332917037)).toBeLessThan(200_000);
    }
  });
});

/** A data packet with every block at `az0 + 40·b` (0.01°), one return on channel `ch` at `mm`. */
function packet(o: { az0: number; timeUs: number; product: number; mode?: number; ch: number; mm: number }): Uint8Array {
  const p = new Uint8Array(1206);
  const dv = new DataView(p.buffer);
  for (let b = 0; b < 12; b++) {
    p[b * 100] = 0xff;
    p[b * 100 + 1] = 0xee;
    dv.setUint16(b * 100 + 2, (o.az0 + 40 * b) % 36000, true);
    dv.setUint16(b * 100 + 4 + 3 * o.ch, o.mm / 2, true);
    p[b * 100 + 6 + 3 * o.ch] = 77;
  }
  dv.setUint32(1200, o.timeUs, true);
  p[1204] = o.mode ?? 0x37;
  p[1205] = o.product;
  return p;
}

describe('VelodyneDecoder on synthetic packets (layouts of manual §9.3)', () => {
  it('HDL-32E: product 0x21 with 553 µs packet spacing; laser 15 is horizontal (0°), one firing per block', () => {
    const dec = new VelodyneDecoder({ azimuth: 'per-block' });
    dec.push(packet({ az0: 0, timeUs: 1000, product: 0x21, ch: 15, mm: 10_000 }), 0n);
    dec.push(packet({ az0: 480, timeUs: 1553, product: 0x21, ch: 15, mm: 10_000 }), 1n);
    dec.flush();
    const s = dec.next()!;
    expect(s.model).toBe('HDL-32E');
    expect(s.cloud.count).toBe(24);
    // Block 0, azimuth 0: straight ahead, 10 m, z = 0.
    expect(Array.from(s.cloud.xyz.subarray(0, 3)).map((v) => Math.round(v * 1000) / 1000)).toEqual([10, -0, 0]);
    // Block 1 is 46.08 µs after block 0; channel 15 fires 7 × 1.152 µs into its block.
    expect(s.cloud.timeOffset![1]! - s.cloud.timeOffset![0]!).toBeCloseTo(46.08e-6, 9);
  });

  it('dual return (0x39): block pairs share an azimuth and a firing time', () => {
    const dec = new VelodyneDecoder({ model: 'VLP-16' });
    const p = packet({ az0: 1000, timeUs: 5000, product: 0x22, mode: 0x39, ch: 0, mm: 5000 });
    const dv = new DataView(p.buffer);
    for (let b = 0; b < 12; b++) dv.setUint16(b * 100 + 2, 1000 + 40 * Math.floor(b / 2), true);
    dec.push(p, 0n);
    dec.flush();
    const s = dec.next()!;
    expect(s.returnMode).toBe('dual');
    expect(s.cloud.count).toBe(12);
    const t = s.cloud.timeOffset!;
    expect(t[1]).toBe(t[0]); // the two returns of one firing
    expect(t[2]! - t[0]!).toBeCloseTo(110.592e-6, 9);
  });

  it('a wrong-size or flagless datagram is counted, not decoded', () => {
    const dec = new VelodyneDecoder();
    dec.push(new Uint8Array(512), 0n);
    const bad = packet({ az0: 0, timeUs: 0, product: 0x22, ch: 0, mm: 1000 });
    bad[500] = 0;
    dec.push(bad, 0n);
    expect(dec.stats()).toMatchObject({ badPackets: 2, badBytes: 512 + 1206, packets: 0 });
  });
});
