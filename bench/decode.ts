/**
 * bench:decode — throughput of every device decoder against the data rate of the device it reads.
 *
 *   input    real bytes where they exist (the VLP-16 and OS-1 captures, the Cyton recording
 *            re-encoded as packets, ffmpeg's MJPEG, the D435 bag); generated valid streams for
 *            RPLIDAR and DZ16 (no public captures)
 *   rate     MB/s and packets (frames)/s over ≥ 0.5 s of decoding, after a warm-up pass
 *   device   the sensor's own wire rate at its usual setting (documented per row)
 *   ratio    decode bytes/s ÷ device bytes/s — must be ≥ 20 on the target (issue 7)
 *
 * Rows marked `file` are recordings read once when playback opens (a RealSense bag: LZ4 chunks),
 * not a live stream; their ratio says how much faster than real time the whole file is decoded, and
 * they are reported apart from the live decoders' `minRatio`.
 *
 * Last line: {"decoders":{"<name>":{"mbPerS","packetsPerS","deviceMbPerS","ratio","live"}},"minRatio","minRatioFiles"}.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { JpegSplitter } from '../devices/camera/ffmpeg/jpeg-splitter.ts';
import { readRealSenseBag } from '../devices/depth/realsense-bag/reader.ts';
import { Z16Decoder, encodeZ16Frame } from '../devices/depth/z16/decoder.ts';
import { CytonDecoder } from '../devices/eeg/openbci-cyton/decoder.ts';
import { accelAux, encodePacket } from '../devices/eeg/openbci-cyton/packet.ts';
import { uvToCounts } from '../devices/eeg/openbci-cyton/scale.ts';
import { parseOpenBciGuiText } from '../devices/eeg/openbci-gui/parser.ts';
import { FixedFrameDecoder } from '../devices/formats/fixed-frame-decoder.ts';
import { readPcap } from '../devices/formats/pcap.ts';
import { OusterDecoder } from '../devices/lidar/ouster/decoder.ts';
import { parseOusterMetadata } from '../devices/lidar/ouster/metadata.ts';
import { encodeCapsule } from '../devices/lidar/rplidar/capsule.ts';
import { RplidarDecoder } from '../devices/lidar/rplidar/decoder.ts';
import { encodeDescriptor } from '../devices/lidar/rplidar/protocol.ts';
import { VelodyneDecoder } from '../devices/lidar/velodyne/decoder.ts';

const FIX = new URL('../test/fixtures/', import.meta.url);
const file = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(p, FIX)));
const MIN_S = Number(process.env.BENCH_SECONDS ?? 0.5);

interface Row {
  name: string;
  live: boolean;
  device: string;
  mbPerS: number;
  packetsPerS: number;
  deviceMbPerS: number;
  ratio: number;
}

/**
 * Runs `pass()` (one pass over the input: `bytes` bytes, `packets` packets) until MIN_S has passed,
 * after one warm-up pass.
 */
function measure(name: string, device: string, deviceBytesPerS: number, bytes: number, packets: number, pass: () => void, live = true): Row {
  pass();
  let n = 0;
  const t0 = performance.now();
  let dt = 0;
  do {
    pass();
    n++;
    dt = (performance.now() - t0) / 1000;
  } while (dt < MIN_S);
  const bps = (bytes * n) / dt;
  return { name, live, device, mbPerS: round(bps / 1e6), packetsPerS: Math.round((packets * n) / dt), deviceMbPerS: round(deviceBytesPerS / 1e6, 4), ratio: round(bps / deviceBytesPerS, 1) };
}

function round(v: number, d = 2): number {
  return Math.round(v * 10 ** d) / 10 ** d;
}

const rows: Row[] = [];

// OpenBCI Cyton: the real recording as the packets the board sent (counts from µV), in 512-byte reads.
{
  const rec = parseOpenBciGuiText(new TextDecoder().decode(file('openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt')));
  const n = rec.rows;
  const stream = new Uint8Array(n * 33);
  for (let i = 0; i < n; i++) {
    const counts = Array.from({ length: 8 }, (_, c) => uvToCounts(rec.exg[c * n + i]!, 24));
    stream.set(encodePacket(rec.sampleIndex[i]!, counts, { aux: accelAux([rec.aux[i]!, rec.aux[n + i]!, rec.aux[2 * n + i]!]) }), i * 33);
  }
  rows.push(measure('openbci-cyton', '250 packets/s × 33 B (dongle)', 250 * 33, stream.length, n, () => {
    const d = new CytonDecoder();
    for (let o = 0; o < stream.length; o += 512) {
      d.push(stream.subarray(o, o + 512), 0n);
      while (d.next());
    }
  }));
}

// RPLIDAR: standard nodes (A1: 2 k samples/s × 5 B) and express capsules (A3: 16 k samples/s = 500 capsules/s × 84 B).
{
  const nodes = 40_000;
  const std = new Uint8Array(7 + nodes * 5);
  std.set(encodeDescriptor({ length: 5, mode: 1, dataType: 0x81 }));
  for (let i = 0; i < nodes; i++) {
    const q6 = Math.round(((i * 360) / 400) % 360 * 64);
    const dist = (1000 + (i % 300)) * 4;
    std.set([(40 << 2) | (i % 400 === 0 ? 1 : 2), ((q6 & 0x7f) << 1) | 1, q6 >> 7, dist & 0xff, dist >> 8], 7 + i * 5);
  }
  rows.push(measure('rplidar-standard', 'A1: 2000 nodes/s × 5 B', 2000 * 5, std.length, nodes, () => {
    const d = new RplidarDecoder();
    for (let o = 0; o < std.length; o += 512) {
      d.push(std.subarray(o, o + 512), 0n);
      while (d.next());
    }
  }));
  const caps = 2000;
  const exp = new Uint8Array(7 + caps * 84);
  exp.set(encodeDescriptor({ length: 84, mode: 1, dataType: 0x82 }));
  for (let k = 0; k < caps; k++) {
    const cabins = Array.from({ length: 16 }, (_, c) => ({ d1Mm: 1000 + c, d2Mm: 2000 + c, off1Q3: c % 8, off2Q3: 0 }));
    exp.set(encodeCapsule(Math.round(((k * 32 * 360) / 1600) % 360 * 64), k === 0, cabins), 7 + k * 84);
  }
  rows.push(measure('rplidar-express', 'A3: 500 capsules/s × 84 B', 500 * 84, exp.length, caps, () => {
    const d = new RplidarDecoder();
    for (let o = 0; o < exp.length; o += 512) {
      d.push(exp.subarray(o, o + 512), 0n);
      while (d.next());
    }
  }));
}

// Velodyne VLP-16: the real capture's 84 data packets → point clouds (per-firing azimuth).
{
  const packets = readPcap(file('velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap')).datagrams.filter((d) => d.payload.length === 1206).map((d) => d.payload);
  rows.push(measure('velodyne-vlp16', '754 packets/s × 1206 B (600 rpm, single return)', 754 * 1206, packets.length * 1206, packets.length, () => {
    const d = new VelodyneDecoder({ model: 'VLP-16' });
    for (const p of packets) {
      d.push(p, 0n);
      while (d.next());
    }
    d.flush();
    while (d.next());
  }));
}

// Ouster OS-1-32: the real frame's 64 packets → one point cloud.
{
  const meta = parseOusterMetadata(new TextDecoder().decode(file('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.json')));
  const packets = readPcap(file('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap')).datagrams.filter((d) => d.dstPort === 7502).map((d) => d.payload);
  const d = new OusterDecoder(meta);
  rows.push(measure('ouster-os1-32', '640 packets/s × 6464 B (1024x10)', 640 * 6464, packets.length * 6464, packets.length, () => {
    for (const p of packets) d.push(p, 0n);
    d.flush();
    while (d.next());
  }));
}

// Depth: DZ16 frames 640×480 (a D435 at 30 fps: 18.4 MB/s of pixels), 64 KiB pipe reads.
{
  const frame = { width: 640, height: 480, unitM: 0.001, data: Uint16Array.from({ length: 640 * 480 }, (_, i) => 500 + (i % 3000)) };
  const one = encodeZ16Frame(frame, { seq: 1, device_ts_us: 1 });
  const stream = new Uint8Array(one.length * 10);
  for (let k = 0; k < 10; k++) stream.set(one, k * one.length);
  rows.push(measure('z16-dz16', 'D435 640×480 Z16 at 30 fps', 30 * one.length, stream.length, 10, () => {
    const d = new Z16Decoder();
    for (let o = 0; o < stream.length; o += 65536) {
      d.push(stream.subarray(o, o + 65536), 0n);
      while (d.next());
    }
  }));
}

// RealSense bag playback: the real D435 bag (LZ4 chunks) → 2 Z16 frames + 1 rgb8 frame per read.
{
  const bag = file('realsense/intel-d435__single-depth-color-640x480.bag');
  rows.push(measure('realsense-bag', 'file: D435 depth 640×480 at 30 fps (bag bytes per depth frame × 30)', (bag.length / 2) * 30, bag.length, 2, () => {
    readRealSenseBag(bag);
  }, false));
}

// Camera: ffmpeg's MJPEG (real ffmpeg output, looped) against a 1280×720 MJPEG webcam (~4 MB/s);
// rawvideo rgb24 640×480 at 30 fps (27.6 MB/s) cut by byte count.
{
  const mjpeg = file('ffmpeg/ffmpeg-lavfi__testsrc-64x48-3frames.mjpeg');
  const loops = 200;
  const stream = new Uint8Array(mjpeg.length * loops);
  for (let k = 0; k < loops; k++) stream.set(mjpeg, k * mjpeg.length);
  rows.push(measure('ffmpeg-mjpeg', '1280×720 MJPEG at 30 fps (~133 kB/frame)', 30 * 133_000, stream.length, 3 * loops, () => {
    const d = new JpegSplitter();
    for (let o = 0; o < stream.length; o += 65536) {
      d.push(stream.subarray(o, o + 65536), 0n);
      while (d.next());
    }
  }));
  const frameBytes = 640 * 480 * 3;
  const raw = new Uint8Array(frameBytes * 8);
  rows.push(measure('ffmpeg-rawvideo', '640×480 rgb24 at 30 fps', 30 * frameBytes, raw.length, 8, () => {
    const d = new FixedFrameDecoder(frameBytes);
    for (let o = 0; o < raw.length; o += 65536) {
      d.push(raw.subarray(o, o + 65536), 0n);
      while (d.next());
    }
  }));
}

const w = Math.max(...rows.map((r) => r.name.length));
process.stdout.write(`${'decoder'.padEnd(w)}  ${'MB/s'.padStart(9)}  ${'packets/s'.padStart(10)}  ${'device MB/s'.padStart(11)}  ${'ratio'.padStart(8)}  device\n`);
for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.mbPerS.toFixed(2).padStart(9)}  ${String(r.packetsPerS).padStart(10)}  ${r.deviceMbPerS.toFixed(4).padStart(11)}  ${r.ratio.toFixed(1).padStart(7)}×  ${r.device}\n`);
const minRatio = Math.min(...rows.filter((r) => r.live).map((r) => r.ratio));
const minRatioFiles = Math.min(...rows.filter((r) => !r.live).map((r) => r.ratio));
process.stdout.write(`${JSON.stringify({ decoders: Object.fromEntries(rows.map((r) => [r.name, { mbPerS: r.mbPerS, packetsPerS: r.packetsPerS, deviceMbPerS: r.deviceMbPerS, ratio: r.ratio, live: r.live }])), minRatio, minRatioFiles })}\n`);
