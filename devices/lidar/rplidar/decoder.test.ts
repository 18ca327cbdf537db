import { describe, expect, it } from 'vitest';
import { encodeCapsule, readCapsule, unpackCapsule } from './capsule.ts';
import { RplidarDecoder } from './decoder.ts';
import type { RplidarMessage, RplidarNode } from './messages.ts';
import { CMD, EXPRESS_SCAN_LEGACY, encodeDescriptor, encodeRequest, motorPwmRequest } from './protocol.ts';
import { ScanAssembler } from './scan-assembler.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
function drain(d: RplidarDecoder): RplidarMessage[] {
  const out: RplidarMessage[] = [];
  for (let m = d.next(); m; m = d.next()) out.push(m);
  return out;
}

// Byte vectors of sensor-protocols §2.2–2.3 (from Slamtec's SDK headers and codec).
describe('RPLIDAR requests', () => {
  it('encodes the command vectors of the protocol notes', () => {
    expect(encodeRequest(CMD.SCAN)).toEqual(hex('A5 20'));
    expect(encodeRequest(CMD.STOP)).toEqual(hex('A5 25'));
    expect(encodeRequest(CMD.RESET)).toEqual(hex('A5 40'));
    expect(encodeRequest(CMD.GET_INFO)).toEqual(hex('A5 50'));
    expect(encodeRequest(CMD.GET_HEALTH)).toEqual(hex('A5 52'));
    expect(EXPRESS_SCAN_LEGACY).toEqual(hex('A5 82 05 00 00 00 00 00 22'));
    expect(motorPwmRequest(660)).toEqual(hex('A5 F0 02 94 02 C1'));
    expect(motorPwmRequest(0)).toEqual(hex('A5 F0 02 00 00 57'));
    expect(encodeRequest(CMD.GET_LIDAR_CONF, [0x70, 0, 0, 0])).toEqual(hex('A5 84 04 70 00 00 00 55'));
  });
});

describe('RplidarDecoder', () => {
  it('decodes the standard-scan descriptor and the three node vectors of §2.3', () => {
    // Each vector after its own descriptor (A5 5A | len 5, mode 1 = 0x40 in the top byte | type 0x81):
    // they are independent nodes (90°, 359.98°, 12.5°), not one rotating scan, so the decoder's
    // angle-continuity check must not join them.
    const nodes: RplidarNode[] = [];
    const d = new RplidarDecoder();
    for (const v of ['BD 01 2D A0 0F', '3E FF B3 E9 03', '02 41 06 00 00']) {
      d.push(hex(`A5 5A 05 00 00 40 81 ${v}`), 7n);
      nodes.push(...(drain(d) as RplidarNode[]));
    }
    expect(nodes.map(({ start, quality, angleDeg, distanceMm }) => ({ start, quality, angleDeg, distanceMm }))).toEqual([
      { start: true, quality: 47, angleDeg: 90, distanceMm: 1000 },
      { start: false, quality: 15, angleDeg: 359.984375, distanceMm: 250.25 },
      { start: false, quality: 0, angleDeg: 12.5, distanceMm: 0 },
    ]);
    expect(d.stats()).toMatchObject({ badBytes: 0, descriptors: 3, frames: 3 });
  });

  it('decodes info and health answers (descriptors of §2.2), split across reads', () => {
    const d = new RplidarDecoder();
    const info = cat(hex('A5 5A 14 00 00 00 04'), Uint8Array.of(0x18, 0x1d, 0x01, 0x07), Uint8Array.from({ length: 16 }, (_, i) => i));
    const health = hex('A5 5A 03 00 00 00 06  01 34 12');
    const all = cat(info, health);
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3), BigInt(i));
    expect(drain(d)).toMatchObject([
      { type: 'info', model: 0x18, firmware: '1.29', hardware: 7, serial: '000102030405060708090A0B0C0D0E0F' },
      { type: 'health', status: 1, errorCode: 0x1234 },
    ]);
  });

  it('resynchronises after garbage inside a node stream, counting the bad bytes', () => {
    // Nodes at 90°, 91°, 92°, 93° (q6 5760 + 64k), 1 m; two garbage bytes after the first.
    const node = (deg: number): string => {
      const q6 = deg * 64;
      return [0x3e, ((q6 & 0x7f) << 1) | 1, q6 >> 7, 0xa0, 0x0f].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    };
    const d = new RplidarDecoder();
    d.push(hex(`A5 5A 05 00 00 40 81 ${node(90)} FF FE ${node(91)} ${node(92)} ${node(93)}`), 0n);
    const nodes = drain(d) as RplidarNode[];
    expect(nodes.map((n) => n.angleDeg)).toEqual([90, 91, 92, 93]);
    expect(d.stats().badBytes).toBe(2);
  });

  it('switches to a new descriptor that arrives mid-stream (host sent STOP then GET_HEALTH)', () => {
    const d = new RplidarDecoder();
    d.push(hex('A5 5A 05 00 00 40 81  BD 01 2D A0 0F  A5 5A 03 00 00 00 06  00 00 00'), 0n);
    // (the descriptor's second byte 5A has C = 0, so it can never pass for a node)
    expect(drain(d).map((m) => m.type)).toEqual(['node', 'health']);
  });

  it('express capsules: 32 nodes per capsule spread to the next start angle, offsets subtracted (SDK arithmetic)', () => {
    const cabins = Array.from({ length: 16 }, (_, k) => ({ d1Mm: 1000 + k, d2Mm: k === 3 ? 0 : 2000 + k, off1Q3: 8, off2Q3: 0 }));
    const c1 = encodeCapsule(10 * 64, false, cabins);
    const c2 = encodeCapsule(12 * 64, false, cabins);
    expect(readCapsule(c1, 0)).toBeDefined();
    const d = new RplidarDecoder();
    d.push(cat(encodeDescriptor({ length: 84, mode: 1, dataType: 0x82 }), c1, c2), 0n);
    const nodes = drain(d) as RplidarNode[];
    expect(nodes).toHaveLength(32); // c1's nodes; c2's wait for c3
    // Δ = 2°, 32 steps of 1/16°; measurement 0 has offset 8 q3 = 1° subtracted.
    expect(nodes[0]).toMatchObject({ angleDeg: 9, distanceMm: 1000, quality: 47 });
    expect(nodes[1]).toMatchObject({ angleDeg: 10.0625, distanceMm: 2000 });
    expect(nodes[7]).toMatchObject({ distanceMm: 0, quality: 0 });
    expect(nodes[31]!.angleDeg).toBeCloseTo(10 + 31 / 16, 6);
    // A corrupted checksum costs a resync, not an exception.
    const bad = c2.slice();
    bad[40] = bad[40]! ^ 0xff;
    expect(readCapsule(bad, 0)).toBeUndefined();
    expect(unpackCapsule(readCapsule(c1, 0)!, readCapsule(c2, 0)!)).toHaveLength(32);
  });

  it('assembles nodes into one LaserScan per revolution, counter-clockwise bins', () => {
    const a = new ScanAssembler({ bins: 360 });
    const node = (start: boolean, angleDeg: number, distanceMm: number): RplidarNode => ({ type: 'node', start, quality: 40, angleDeg, distanceMm, receivedAt: 0n });
    expect(a.add(node(true, 0, 1000))).toBeUndefined();
    a.add(node(false, 90, 2000)); // 90° clockwise = the sensor's right = −90° = bin 270
    a.add(node(false, 270, 3000));
    a.add(node(false, 271, 0)); // no return
    const done = a.add(node(true, 0.5, 1500));
    expect(done?.nodes).toBe(4);
    expect(done?.valid).toBe(3);
    expect(done?.scan.ranges[0]).toBeCloseTo(1, 6);
    expect(done?.scan.ranges[270]).toBeCloseTo(2, 6);
    expect(done?.scan.ranges[90]).toBeCloseTo(3, 6);
  });
});
