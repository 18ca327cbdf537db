import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPcap } from '../../formats/pcap.ts';
import { OusterDecoder, type OusterFrame } from './decoder.ts';
import { parseOusterMetadata } from './metadata.ts';
import { lidarPacketBytes, parseImuPacket, parseLidarPacket } from './packet.ts';

// Real OS-1-32-G capture (fw 2.1.1, 1024x10, LEGACY profile) + its metadata; test/fixtures/ouster/SOURCE.md.
const FIX = new URL('../../../test/fixtures/ouster/', import.meta.url);
const meta = parseOusterMetadata(readFileSync(new URL('ouster-os1-32-g__fw2.1.1-1024x10-legacy.json', FIX), 'utf8'));
const packets = readPcap(readFileSync(new URL('ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap', FIX))).datagrams.filter((d) => d.dstPort === 7502);

describe('Ouster metadata and packets (real OS-1-32 capture)', () => {
  it('reads the metadata: 32 beams × 1024 columns, 16 columns per packet, LEGACY, 10 Hz', () => {
    expect(meta).toMatchObject({ prodLine: 'OS-1-32-G', height: 32, width: 1024, columnsPerPacket: 16, profile: 'LEGACY', rateHz: 10, beamOriginMm: 15.806 });
    expect(lidarPacketBytes(meta)).toBe(6464);
    expect(packets).toHaveLength(64);
  });

  it('first column and pixel as in SOURCE.md: ts 3577133606620 ns, frame 638, range 12958 mm, refl 14, signal 60, NIR 632', () => {
    const cols = parseLidarPacket(packets[0]!.payload, meta)!;
    expect(cols).toHaveLength(16);
    const c0 = cols[0]!;
    expect(c0).toMatchObject({ timestampNs: 3577133606620n, measurementId: 0, frameId: 638, valid: true });
    expect([c0.range[0], c0.reflectivity[0], c0.signal[0], c0.nearIr[0]]).toEqual([12958, 14, 60, 632]);
    // Encoder count (bytes 12–15 of the column header) advances 88 ticks per column (90112 / 1024).
    const p = packets[0]!.payload;
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    expect(dv.getUint32(12, true)).toBe(0);
    expect(dv.getUint32(404 + 12, true)).toBe(88);
    expect(parseLidarPacket(p.subarray(1), meta)).toBeUndefined();
  });

  it('decodes exactly one full frame; XYZ follows the user-manual formula in the sensor frame', () => {
    const dec = new OusterDecoder(meta);
    for (const d of packets) dec.push(d.payload, d.tsNs);
    dec.flush();
    const frames: OusterFrame[] = [];
    for (let f = dec.next(); f; f = dec.next()) frames.push(f);
    expect(frames).toHaveLength(1);
    const f = frames[0]!;
    expect(f).toMatchObject({ frameId: 638, columns: 1024, firstColumnNs: 3577133606620n });
    expect(dec.stats()).toMatchObject({ packets: 64, badPackets: 0, invalidColumns: 0 });
    expect(f.cloud.count).toBeGreaterThan(20_000);
    // Ouster Software User Manual "Lidar Range to XYZ" (lidar frame), then lidar_to_sensor_transform
    // (180° about z, +36.18 mm in z). Column 0, beam 0, range 12958 mm.
    const n = 15.806;
    const r = 12958;
    const te = 2 * Math.PI * (1 - 0 / 1024);
    const ta = (-2 * Math.PI * meta.azimuthDeg[0]!) / 360;
    const phi = (2 * Math.PI * meta.altitudeDeg[0]!) / 360;
    const xl = (r - n) * Math.cos(te + ta) * Math.cos(phi) + n * Math.cos(te);
    const yl = (r - n) * Math.sin(te + ta) * Math.cos(phi) + n * Math.sin(te);
    const zl = (r - n) * Math.sin(phi);
    const [x, y, z] = f.cloud.xyz;
    expect(x).toBeCloseTo(-xl / 1000, 4);
    expect(y).toBeCloseTo(-yl / 1000, 4);
    expect(z).toBeCloseTo((zl + 36.18) / 1000, 4);
    expect(f.cloud.intensity?.[0]).toBe(14);
    expect(f.cloud.ring?.[0]).toBe(31); // beam 0 is the top beam (+12.75°)
    // Column times span one revolution at 10 Hz (~100 ms).
    expect(Number(f.lastColumnNs - f.firstColumnNs) / 1e6).toBeCloseTo(99.9, 0);
  });

  it('parses a 48-byte IMU packet (layout of parsing.cpp), refuses other sizes', () => {
    const b = new Uint8Array(48);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, 1n, true);
    dv.setBigUint64(8, 2n, true);
    dv.setBigUint64(16, 3n, true);
    [0, 0, 1, 0.5, -0.5, 2].forEach((v, i) => dv.setFloat32(24 + 4 * i, v, true));
    expect(parseImuPacket(b)).toEqual({ systemNs: 1n, accelNs: 2n, gyroNs: 3n, accelG: [0, 0, 1], gyroDps: [0.5, -0.5, 2] });
    expect(parseImuPacket(b.subarray(1))).toBeUndefined();
  });
});
