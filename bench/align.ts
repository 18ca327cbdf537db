/**
 * bench:align — approximate-time matching throughput.
 *
 * Workload: 4 streams at 30/30/10/250 Hz, 60 s of stamps, each stamp k/rate + U(0, 4 ms) jitter,
 * delivered in stamp order; ApproximateTime with a 50 ms max interval and a queue of 30 per stream
 * (one 100 ms LiDAR period of the 250 Hz stream, plus slack: ROS's algorithm needs the fast queue
 * to span the slowest stream's period or it drops). Baseline, measured in the same run on the same
 * stamps: ROS 1's Python ApproximateTimeSynchronizer (Debian python3-message-filters, run with
 * /usr/bin/python3), same queue size, slop = the max interval. Its algorithm differs (a slop
 * search, not the optimal pivot search), which is why it is the reference users actually have.
 *
 * Last line: {"msgsPerSec":…,"setsPerSec":…,"sets":…[,"baselineMsgsPerSec":…,"ratio":…]}.
 * Env: BENCH_QUEUE (30), BENCH_RUNS (15).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ApproximateSynchronizer } from '../src/align/policies/approximate.ts';
import type { AnySample, Modality } from '../src/core/sample.ts';
import { mulberry32 } from '../src/core/random.ts';

const RATES = [30, 30, 10, 250];
const MODS: Modality[] = ['camera', 'depth', 'lidar', 'eeg'];
const SECONDS = 60;
const JITTER_NS = 4e6;
const MAX_INTERVAL_NS = 50_000_000n;
const QUEUE = Number(process.env['BENCH_QUEUE'] ?? 30);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const PYTHON = '/usr/bin/python3';


function stamps(): { topic: number; t: bigint }[] {
  const rand = mulberry32(42);
  const out: { topic: number; t: bigint }[] = [];
  RATES.forEach((rate, topic) => {
    for (let k = 0; k < SECONDS * rate; k++) out.push({ topic, t: BigInt(Math.round((k * 1e9) / rate + rand() * JITTER_NS)) });
  });
  return out.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.topic - b.topic));
}

function samplesOf(input: { topic: number; t: bigint }[]): AnySample[] {
  const payload = { width: 1, height: 1, format: 'gray8' as const, data: new Uint8Array(1) };
  return input.map(({ topic, t }, seq) => ({ kind: 'image', sourceId: `s${topic}`, seq, t, receivedAt: t, payload }));
}

/** One pass as the runtime drives it: push each sample, poll for ready sets. */
function runOnce(samples: readonly AnySample[]): { ms: number; sets: number } {
  const sync = new ApproximateSynchronizer({
    inputs: MODS.map((modality, i) => ({ modality, sourceId: `s${i}` })),
    maxIntervalNs: MAX_INTERVAL_NS,
    queueSize: QUEUE,
  });
  let sets = 0;
  const start = performance.now();
  for (const s of samples) {
    sync.push(s);
    sets += sync.poll(s.t).length;
  }
  // No flush: at end of stream every source counts as silent and the leftovers would come out as
  // partial sets, which ROS does not produce; the two set counts then compare like for like.
  return { ms: performance.now() - start, sets };
}

function baseline(input: { topic: number; t: bigint }[]): { msgsPerSec: number; sets: number } | { skipped: string } {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const script = fileURLToPath(new URL('./align-ros1-baseline.py', import.meta.url));
  const stdin = input.map(({ topic, t }) => `${topic} ${t}`).join('\n') + '\n';
  const r = spawnSync(PYTHON, [script, String(QUEUE), String(Number(MAX_INTERVAL_NS) / 1e9)], { input: stdin, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { skipped: `python3-message-filters baseline failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { msgs: number; sets: number; seconds: number };
  return { msgsPerSec: out.msgs / out.seconds, sets: out.sets };
}

const input = stamps();
const samples = samplesOf(input);
for (let i = 0; i < 3; i++) runOnce(samples); // warm up the JIT
const runs = Array.from({ length: RUNS }, () => runOnce(samples)).sort((a, b) => a.ms - b.ms);
const median = runs[runs.length >> 1] as { ms: number; sets: number };
const msgsPerSec = (samples.length / median.ms) * 1e3;
const setsPerSec = (median.sets / median.ms) * 1e3;
const base = baseline(input);

const lines = [
  `bench:align — ApproximateTime, 4 streams ${RATES.join('/')} Hz × ${SECONDS} s (${samples.length} msgs), jitter U(0, ${JITTER_NS / 1e6} ms), maxInterval ${Number(MAX_INTERVAL_NS) / 1e6} ms, queue ${QUEUE}`,
  `  sensorium ApproximateSynchronizer: ${median.sets} sets, median of ${RUNS} runs ${median.ms.toFixed(2)} ms → ${Math.round(msgsPerSec).toLocaleString('en')} msgs/s`,
];
const result: Record<string, number> = { msgsPerSec: Math.round(msgsPerSec), setsPerSec: Math.round(setsPerSec), sets: median.sets };
if ('skipped' in base) {
  lines.push(`  baseline skipped: ${base.skipped}`);
} else {
  lines.push(`  ROS 1 Python ApproximateTimeSynchronizer (slop ${Number(MAX_INTERVAL_NS) / 1e9} s): ${base.sets} sets, ${Math.round(base.msgsPerSec).toLocaleString('en')} msgs/s`);
  lines.push(`  ratio: ${(msgsPerSec / base.msgsPerSec).toFixed(0)}×`);
  result['baselineMsgsPerSec'] = Math.round(base.msgsPerSec);
  result['ratio'] = Math.round((msgsPerSec / base.msgsPerSec) * 10) / 10;
}
process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(result)}\n`);
