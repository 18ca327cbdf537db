/**
 * bench:mqtt — QoS 1 results/s through Sensorium's publisher with the durable spool on (every
 * message written to a segment file before it is sent, acknowledged on PUBACK, fsync batched)
 * against a bare mqtt.js publisher (UniqueMessageIdProvider, window of 100 in flight) sending the
 * very same messages — topic, payload and the MQTT 5 properties of the contract (contentType,
 * payload format, user property `schema`) — on the same tuned mosquitto, in the same run. Both
 * count a message done when its PUBACK arrives. (Without properties the bare publisher is ~1.5×
 * faster: mqtt-packet's property encoding is the largest single cost; the contract needs them.)
 * Last line: {"spoolResultsPerSec","bareResultsPerSec","ratio",…}; ratio = the median of the rounds'
 * paired ratios. 15 rounds: single rounds on a shared VM range ~0.6-1.3; with 5 the median itself
 * swung 0.67-0.97 between runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt, { UniqueMessageIdProvider } from 'mqtt';
import { FileSpool } from '../src/publish/file-spool.ts';
import { MqttPublisher } from '../src/publish/mqtt-publisher.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WINDOW = 100;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// A real-sized result payload (~1 KB: probabilities, mask, lineage for four sources).
const payload = (seq: number): string =>
  JSON.stringify({
    v: 1, seq, ts: '2026-11-26T19:06:21.400Z', t_ns: `${1795720000400000000n + BigInt(seq) * 100000000n}`, device: 'cell-01', pipeline: 'cell_state',
    label: 'producing', score: 0.993112, probs: { producing: 0.993112, unattended: 0.004, manual: 0.002, break: 0.000888 },
    mask: { camera: 'fresh', depth: 'fresh', lidar: 'held', eeg: 'fresh' },
    lineage: {
      sources: Object.fromEntries(['cam0', 'depth0', 'lidar0', 'eeg0'].map((s, i) => [s, { modality: ['camera', 'depth', 'lidar', 'eeg'][i], state: 'fresh', t_ns: '1795720000363000000', ageMs: 37.123 }])),
      skewMs: 12.4, stageMs: { align: 0.031, preprocess: 0.612, encode: 0.523, fuse: 0.061, publish: 0.021, total: 1.412 },
      drops: { inference: 0, sources: { cam0: { lost: 0, unused: 2 }, depth0: { lost: 0, unused: 2 }, lidar0: { lost: 0 }, eeg0: { lost: 0 } } },
    },
    model: { name: 'cell-reference', version: '1.0.0', head: 'attention', precision: 'int8' },
  });
const payloads = Array.from({ length: N }, (_, i) => payload(i));
/** What MqttPublisher sends with every result over MQTT 5. */
const PROPS = { contentType: 'application/json', payloadFormatIndicator: true, userProperties: { schema: 'sensorium.result/1' } };

async function bare(url: string): Promise<number> {
  const client = await mqtt.connectAsync(url, { clientId: `bare-${process.pid}`, protocolVersion: 5, messageIdProvider: new UniqueMessageIdProvider(), queueQoSZero: false });
  (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const pump = (): void => {
      while (sent < N && sent - acked < WINDOW) {
        client.publish('bench/bare/result', payloads[sent++] as string, { qos: 1, properties: PROPS }, (err) => {
          if (err) return reject(err);
          if (++acked === N) resolve();
          else setImmediate(pump);
        });
      }
    };
    pump();
  });
  const rate = N / ((performance.now() - start) / 1000);
  await client.endAsync();
  return rate;
}

async function spooled(url: string): Promise<{ rate: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-bench-spool-'));
  const spool = new FileSpool({ dir, fsyncIntervalMs: 200 });
  const pub = new MqttPublisher({ url, clientId: `spool-${process.pid}`, protocol: '5', spool, maxInflight: WINDOW });
  await pub.start();
  while (!pub.connected) await new Promise((r) => setTimeout(r, 5));
  const start = performance.now();
  for (let i = 0; i < N; i++) pub.publish({ topic: 'bench/spool/result', payload: payloads[i] as string, qos: 1, schema: 'sensorium.result/1', stream: 'bench/result', seq: i });
  const done = await pub.flush(120_000);
  const rate = N / ((performance.now() - start) / 1000);
  if (!done) throw new Error('spooled publisher did not drain');
  const bytes = pub.stats().published;
  await pub.stop(2000);
  rmSync(dir, { recursive: true, force: true });
  return { rate, bytes };
}

const broker = await startMosquitto();
log(`mosquitto at ${broker.url} (tuned: set_tcp_nodelay, large queues); ${N} QoS 1 results of ${payloads[0]?.length} B, ${ROUNDS} rounds, window ${WINDOW}`);
const bareRates: number[] = [];
const spoolRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate the order so drift on a noisy machine hits both.
  if (r % 2 === 0) {
    bareRates.push(await bare(broker.url));
    spoolRates.push((await spooled(broker.url)).rate);
  } else {
    spoolRates.push((await spooled(broker.url)).rate);
    bareRates.push(await bare(broker.url));
  }
  log(`round ${r + 1}: bare ${bareRates[r]?.toFixed(0)} msg/s, spooled ${spoolRates[r]?.toFixed(0)} msg/s`);
}
await broker.stop();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const b = median(bareRates);
const s = median(spoolRates);
// Ratio of each round's pair (same minute of a noisy machine), then the median.
const ratios = spoolRates.map((x, i) => Math.round((x / (bareRates[i] as number)) * 1000) / 1000);
console.log(JSON.stringify({ spoolResultsPerSec: Math.round(s), bareResultsPerSec: Math.round(b), ratio: median(ratios), ratios, messages: N, payloadBytes: payloads[0]?.length, rounds: ROUNDS }));
