import type { CaptureReader, CaptureStreamSummary, CaptureSummary } from '../../src/core/capture.ts';
import { DecodeError } from '../../src/core/errors.ts';
import { isPcap, readPcap, type UdpDatagram } from '../formats/pcap.ts';
import { OusterDecoder } from './ouster/decoder.ts';
import { parseOusterMetadata } from './ouster/metadata.ts';
import { lidarPacketBytes, parseImuPacket, parseLidarPacket } from './ouster/packet.ts';
import { VelodyneDecoder } from './velodyne/decoder.ts';
import { DATA_PACKET_BYTES, POSITION_PACKET_BYTES, isDataPacket, packetTimeUs, parsePositionPacket } from './velodyne/packet.ts';

/**
 * `inspect` for LiDAR pcaps: Velodyne (data packets recognised by shape: 1206 bytes, `FF EE` blocks)
 * or Ouster (needs `--metadata`, the sensor JSON). Points are counted as the decoders emit them:
 * metres in the ROS sensor frame, Velodyne range-filtered to 0.4–100 m like @foxglove/velodyne-cloud,
 * Ouster without the zero-range (no return) pixels.
 */
export const lidarPcapReader: CaptureReader = {
  name: 'lidar-pcap',
  sniff: (head) => isPcap(head),
  read(bytes, o): CaptureSummary {
    const pcap = readPcap(bytes);
    const notes = pcap.skipped > 0 ? [`${pcap.skipped} records were not UDP over IPv4 (skipped)`] : [];
    if (o.metadata) return { ...ouster(pcap.datagrams, new TextDecoder().decode(o.metadata)), notes };
    const vel = pcap.datagrams.filter((d) => d.payload.length === DATA_PACKET_BYTES && isDataPacket(d.payload));
    if (vel.length === 0) {
      const sizes = [...new Set(pcap.datagrams.map((d) => d.payload.length))].slice(0, 5).join(', ');
      throw new DecodeError(`no Velodyne data packets in this pcap (UDP payload sizes: ${sizes || 'none'}); for an Ouster capture pass --metadata <sensor.json>`, { code: 'E_INSPECT_PCAP' });
    }
    return { ...velodyne(vel, pcap.datagrams), notes };
  },
};

function velodyne(data: UdpDatagram[], all: UdpDatagram[]): Omit<CaptureSummary, 'notes'> {
  const dec = new VelodyneDecoder();
  let points = 0;
  let sweeps = 0;
  let firstPoint: [number, number, number] | undefined;
  let first: number[] = [];
  const take = (): void => {
    for (let s = dec.next(); s; s = dec.next()) {
      sweeps++;
      points += s.cloud.count;
      if (!firstPoint && s.cloud.count > 0) {
        const [x, y, z] = s.cloud.xyz as unknown as [number, number, number];
        firstPoint = [round(x), round(y), round(z)];
        first = [...firstPoint, s.cloud.intensity?.[0] ?? 0];
      }
    }
  };
  for (const d of data) {
    dec.push(d.payload, d.tsNs);
    take();
  }
  dec.flush();
  take();
  // Revolutions per second: azimuth swept from the first block of the first packet to the first
  // block of the last one, over the device time between those packets.
  let swept = 0;
  for (let i = 1; i < data.length; i++) {
    const az = (p: Uint8Array): number => p[2]! | (p[3]! << 8);
    swept += (az(data[i]!.payload) - az(data[i - 1]!.payload) + 36000) % 36000;
  }
  const spanUs = (packetTimeUs(data.at(-1)!.payload) - packetTimeUs(data[0]!.payload) + 3_600_000_000) % 3_600_000_000;
  const rateHz = spanUs > 0 ? swept / 36000 / (spanUs / 1e6) : 0;
  const streams: Record<string, CaptureStreamSummary> = {
    lidar: {
      kind: 'cloud',
      count: sweeps,
      rateHz: round(rateHz, 2),
      first,
      points,
      ...(firstPoint ? { firstPoint } : {}),
      model: dec.model,
      packets: data.length,
      returnMode: ({ 0x37: 'strongest', 0x38: 'last', 0x39: 'dual' } as Record<number, string>)[data[0]!.payload[1204]!] ?? 'unknown',
      productByte: data[0]!.payload[1205],
    },
  };
  const pos = all.filter((d) => d.payload.length === POSITION_PACKET_BYTES).map((d) => ({ d, p: parsePositionPacket(d.payload)! }));
  if (pos.length > 0) {
    streams['position'] = { kind: 'position', count: pos.length, rateHz: rateOf(pos.map((x) => x.d.tsNs)), first: [pos[0]!.p.ppsStatus, pos[0]!.p.timeUs], nmea: pos[0]!.p.nmea };
  }
  return { format: `pcap/velodyne ${dec.model ?? ''}`.trim(), streams };
}

function ouster(all: UdpDatagram[], metadataText: string): Omit<CaptureSummary, 'notes'> {
  const meta = parseOusterMetadata(metadataText);
  const size = lidarPacketBytes(meta);
  const lidar = all.filter((d) => d.payload.length === size);
  if (lidar.length === 0) throw new DecodeError(`no ${size}-byte Ouster lidar packets for profile ${meta.profile} with ${meta.height} beams (does the metadata belong to this capture?)`, { code: 'E_INSPECT_PCAP' });
  const dec = new OusterDecoder(meta);
  let frames = 0;
  let points = 0;
  let firstPoint: [number, number, number] | undefined;
  for (const d of lidar) dec.push(d.payload, d.tsNs);
  dec.flush();
  for (let f = dec.next(); f; f = dec.next()) {
    frames++;
    points += f.cloud.count;
    if (!firstPoint && f.cloud.count > 0) firstPoint = [round(f.cloud.xyz[0]!), round(f.cloud.xyz[1]!), round(f.cloud.xyz[2]!)];
  }
  const c0 = parseLidarPacket(lidar[0]!.payload, meta)![0]!;
  const streams: Record<string, CaptureStreamSummary> = {
    lidar: {
      kind: 'cloud',
      count: frames,
      rateHz: meta.rateHz,
      // Pixel 0 of the first column: range (mm), reflectivity, signal, near-IR.
      first: [c0.range[0]!, c0.reflectivity[0]!, c0.signal[0]!, c0.nearIr[0]!],
      points,
      ...(firstPoint ? { firstPoint } : {}),
      sensor: `${meta.prodLine} ${meta.firmware} ${meta.width}x${meta.rateHz} ${meta.profile}`,
      packets: lidar.length,
      firstColumn: { timestampNs: String(c0.timestampNs), measurementId: c0.measurementId, frameId: c0.frameId },
    },
  };
  const imu = all.map((d) => ({ d, p: parseImuPacket(d.payload) })).filter((x) => x.p !== undefined);
  if (imu.length > 0) streams['imu'] = { kind: 'imu', count: imu.length, rateHz: rateOf(imu.map((x) => x.d.tsNs)), first: [...imu[0]!.p!.accelG, ...imu[0]!.p!.gyroDps].map((v) => round(v)) };
  return { format: `pcap/ouster ${meta.profile}`, streams };
}

function rateOf(ts: bigint[]): number {
  if (ts.length < 2) return 0;
  const span = Number(ts.at(-1)! - ts[0]!) / 1e9;
  return span > 0 ? round((ts.length - 1) / span, 2) : 0;
}

function round(v: number, digits = 4): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
