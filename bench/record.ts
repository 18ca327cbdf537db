/**
 * bench:record — the MCAP recorder with the four reference sources at their nominal rates
 * (camera 640×480 rgb24 @ 30 Hz, depth 640×480 Z16 @ 30 Hz, LiDAR 360 bins @ 10 Hz, EEG 8 ch ×
 * 10-sample chunks @ 25 Hz ≈ 46 MB/s of payload), against writing the same payload bytes raw to
 * disk, in the same run and the same directory.
 *
 *   recorder: sample() for every sample in arrival order (encode to Foxglove JSON + base64,
 *             chunk, compress, write), awaiting the write queue every 100 ms of log time (so it
 *             measures sustained throughput, not queueing); wall time until close(). Headline: the
 *             ThreadedRecorder `sensorium record` uses live (work in a worker thread; the caller's
 *             cost is a copy) — also the same-thread Recorder, lz4 and uncompressed.
 *   raw:      fh.write() of each payload's bytes, sequentially
 *
 * Throughput is payload MB per wall second for both. realtimeFactor = recorder MB/s ÷ nominal MB/s:
 * above 1 the recorder keeps up with the sensors (on this machine, on one thread, while nothing
 * else runs). Frames are pre-rendered by the simulator (rendering is not what we measure).
 *
 * Also the caller's-thread cost while recording: time in sample() per camera frame (p99) and event
 * loop lag (p99) — what the pipeline would feel.
 *
 * Last line: {"recordMBps", "rawDiskMBps", "ratio", "nominalMBps", "realtimeFactor", …}
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SimWorld, eegWindowAt, latestFrame } from '../devices/sim/index.ts';
import { ManualClock } from '../src/core/clocks.ts';
import type { AnySample } from '../src/core/sample.ts';
import type { Compression } from '../src/record/mcap/compression.ts';
import { Recorder, type RecorderLike } from '../src/record/recorder.ts';
import { ThreadedRecorder } from '../src/record/threaded-recorder.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const DIR = process.env.BENCH_DIR ?? 'var/bench-record';
const DISTINCT = 15;
const MS = 1_000_000n;
const T0 = 1_800_000_100_000_000_000n;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const r2 = (x: number): number => Math.round(x * 100) / 100;

// ---- inputs: pre-rendered simulator payloads ------------------------------------------------------
log(`rendering ${DISTINCT} distinct frames per sensor…`);
const world = new SimWorld({ seed: 424242, lineHz: 50 });
const frames = Array.from({ length: DISTINCT }, (_, k) => {
  const t = T0 + BigInt(k) * 333n * MS;
  return { camera: latestFrame(world, 'camera', t).payload, depth: latestFrame(world, 'depth', t).payload, lidar: latestFrame(world, 'lidar', t).payload };
});
const eeg = eegWindowAt(world, T0 + 2000n * MS, { length: 500 }).chunk;

/** The log: every sample of SECONDS at nominal rates, in arrival order (fresh buffers each). */
function schedule(): AnySample[] {
  const out: AnySample[] = [];
  const add = (hz: number, latencyMs: number, make: (k: number, t: bigint) => AnySample): void => {
    const n = Math.floor(SECONDS * hz);
    for (let k = 0; k < n; k++) out.push(make(k, T0 + BigInt(Math.round((k * 1e9) / hz)) + BigInt(latencyMs) * MS));
  };
  const f = (k: number) => frames[k % DISTINCT]!;
  add(30, 30, (k, t) => ({ kind: 'image', sourceId: 'cam0', seq: k, t: t - 30n * MS, receivedAt: t, payload: { ...f(k).camera, data: f(k).camera.data.slice() } }) as AnySample);
  add(30, 25, (k, t) => ({ kind: 'depth', sourceId: 'depth0', seq: k, t: t - 25n * MS, receivedAt: t, payload: { ...f(k).depth, data: f(k).depth.data.slice() } }) as AnySample);
  add(10, 105, (k, t) => ({ kind: 'scan', sourceId: 'lidar0', seq: k, t: t - 105n * MS, tEnd: t - 5n * MS, receivedAt: t, payload: { ...f(k).lidar, ranges: f(k).lidar.ranges.slice() } }) as AnySample);
  add(25, 48, (k, t) => {
    const n = 10;
    const data = new Float32Array(eeg.channels * n);
    const len = eeg.data.length / eeg.channels;
    const first = (k * n) % (len - n);
    for (let c = 0; c < eeg.channels; c++) data.set(eeg.data.subarray(c * len + first, c * len + first + n), c * n);
    return { kind: 'eeg', sourceId: 'eeg0', seq: k, t: t - 48n * MS, tEnd: t - 12n * MS, receivedAt: t, payload: { rateHz: 250, channels: eeg.channels, data, firstSampleIndex: k * n } };
  });
  return out.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
}

const bytesOf = (s: AnySample): Uint8Array[] => {
  const p = s.payload as unknown as Record<string, unknown>;
  return Object.values(p).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
};

async function recorder(compression: Compression, threaded = false): Promise<{ mbps: number; fileMB: number; tapP99Ms: number; lagP99Ms: number; dropped: number }> {
  const samples = schedule();
  const payload = samples.reduce((a, s) => a + bytesOf(s).reduce((b, x) => b + x.byteLength, 0), 0);
  const clock = new ManualClock(T0);
  const path = join(DIR, `rec-${compression}${threaded ? '-threaded' : ''}.mcap`);
  const o = { path, clock, software: 'sensorium bench', compression, sources: [] };
  const rec: RecorderLike = threaded ? new ThreadedRecorder(o) : new Recorder(o);
  await rec.flush(); // the thread is up before the clock starts
  const taps: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const start = performance.now();
  let flushAt = T0 + 100n * MS;
  for (const s of samples) {
    if (s.receivedAt >= flushAt) {
      await rec.flush();
      flushAt += 100n * MS;
    }
    const t = performance.now();
    rec.sample(s);
    if (s.kind === 'image') taps.push(performance.now() - t);
  }
  const stats = await rec.close();
  const wall = (performance.now() - start) / 1000;
  lag.disable();
  taps.sort((a, b) => a - b);
  return { mbps: payload / 1e6 / wall, fileMB: statSync(path).size / 1e6, tapP99Ms: taps[Math.floor(taps.length * 0.99)] ?? NaN, lagP99Ms: lag.percentile(99) / 1e6, dropped: stats.dropped };
}

async function raw(): Promise<{ mbps: number; payloadMB: number }> {
  const samples = schedule();
  const fh = await open(join(DIR, 'raw.bin'), 'w');
  let n = 0;
  const start = performance.now();
  for (const s of samples) {
    for (const b of bytesOf(s)) {
      await fh.write(b, 0, b.byteLength);
      n += b.byteLength;
    }
  }
  await fh.close();
  const wall = (performance.now() - start) / 1000;
  return { mbps: n / 1e6 / wall, payloadMB: n / 1e6 };
}

rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
log(`${SECONDS} s of log at nominal rates; writing to ${DIR}`);
const base = await raw();
log(`raw write: ${r2(base.payloadMB)} MB at ${r2(base.mbps)} MB/s`);
const zstd = await recorder('zstd', true);
log(`recorder zstd(1), worker thread: ${r2(zstd.mbps)} MB/s → ${r2(zstd.fileMB)} MB file; caller's thread: camera tap p99 ${r2(zstd.tapP99Ms)} ms, loop lag p99 ${r2(zstd.lagP99Ms)} ms`);
const inThread = await recorder('zstd');
log(`recorder zstd(1), same thread: ${r2(inThread.mbps)} MB/s; camera tap p99 ${r2(inThread.tapP99Ms)} ms, loop lag p99 ${r2(inThread.lagP99Ms)} ms`);
const lz4 = await recorder('lz4');
log(`recorder lz4: ${r2(lz4.mbps)} MB/s → ${r2(lz4.fileMB)} MB file`);
const none = await recorder('none');
log(`recorder none: ${r2(none.mbps)} MB/s → ${r2(none.fileMB)} MB file`);
const raw2 = await raw();
const rawMbps = (base.mbps + raw2.mbps) / 2;
const nominal = base.payloadMB / SECONDS;
rmSync(DIR, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    recordMBps: r2(zstd.mbps),
    rawDiskMBps: r2(rawMbps),
    ratio: r2(zstd.mbps / rawMbps),
    nominalMBps: r2(nominal),
    realtimeFactor: r2(zstd.mbps / nominal),
    compression: 'zstd-1',
    recorderThread: 'worker',
    fileMB: r2(zstd.fileMB),
    payloadMB: r2(base.payloadMB),
    compressionRatio: r2(base.payloadMB / zstd.fileMB),
    cameraTapP99Ms: r2(zstd.tapP99Ms),
    loopLagP99Ms: r2(zstd.lagP99Ms),
    sameThreadMBps: r2(inThread.mbps),
    sameThreadTapP99Ms: r2(inThread.tapP99Ms),
    sameThreadLoopLagP99Ms: r2(inThread.lagP99Ms),
    lz4MBps: r2(lz4.mbps),
    noneMBps: r2(none.mbps),
    dropped: zstd.dropped + inThread.dropped + lz4.dropped + none.dropped,
    seconds: SECONDS,
  })}\n`,
);
