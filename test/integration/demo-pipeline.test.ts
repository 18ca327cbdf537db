import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS, Timeline } from '../../devices/sim/index.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { wire } from '../../src/config/wiring.ts';
import { ManualClock } from '../../src/core/clocks.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createRegistry } from '../../src/main.ts';
import { Runtime } from '../../src/pipeline/runtime.ts';
import { resultPayload, statusPayload, type ResultPayload, type StatusPayload } from '../../src/publish/payload-schema.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

/**
 * The walking skeleton end to end with real parts: the demo config (simulator at real rates, the
 * committed int8 models in a worker, alignment with masks), 60 s of simulated time on a manual
 * clock, QoS 1 results through a real mosquitto to a real mqtt.js subscriber.
 */
const SIM_SECONDS = 60;
const SILENT_FROM_S = 25;
const SILENT_FOR_S = 10;
const SEED = 7;

let broker: Mosquitto;
let runtime: Runtime;
const results: ResultPayload[] = [];
const statuses: StatusPayload[] = [];
let subscriber: mqtt.MqttClient;
let published = 0;

beforeAll(async () => {
  broker = await startMosquitto();
  const loaded = loadConfigFile('deploy/configs/demo.yaml');
  const raw = structuredClone(loaded.raw) as { sources: Record<string, Record<string, unknown>>; outputs: { mqtt: Record<string, unknown> } };
  // A spool of its own (tests run in parallel; one process per spool directory).
  raw.outputs.mqtt.spool = { dir: mkdtempSync(join(tmpdir(), 'sensorium-e2e-spool-')) };
  // Silence the LiDAR mid-run (fault injection of the simulator), everything else as in the demo.
  (raw.sources.lidar0 as Record<string, unknown>).faults = [{ at: `${SILENT_FROM_S}s`, for: `${SILENT_FOR_S}s` }];
  const { parseConfig } = await import('../../src/config/load.ts');
  const config = parseConfig(raw);
  const registry = createRegistry();
  const wiring = await wire(config, registry, loaded.dir);
  // Start on a whole second so trigger instants are easy to read.
  const clock = new ManualClock(1_800_000_000_000_000_000n);
  subscriber = await mqtt.connectAsync(broker.url, { clientId: 'e2e-sub', protocolVersion: 5 });
  subscriber.on('message', (topic, payload) => {
    const json = JSON.parse(payload.toString()) as unknown;
    if (topic.endsWith('/result')) results.push(resultPayload.parse(json));
    else if (topic.endsWith('/status')) statuses.push(statusPayload.parse(json));
  });
  await subscriber.subscribeAsync('sensorium/v1/lab/cell-01/#', { qos: 1 });
  runtime = new Runtime({ wiring, registry, clock, log: silentLogger, mqttUrl: broker.url, metricsPort: 0, sinks: [() => published++] });
  await runtime.start();
  // Lock-step: advance 10 ms of simulated time, then let the worker finish (no keep-newest drops).
  const end = clock.now() + BigInt(SIM_SECONDS) * 1_000_000_000n;
  while (clock.now() < end) {
    await clock.advance(10_000_000n);
    await runtime.idle();
  }
  await runtime.publisher?.flush(10_000);
  const deadline = Date.now() + 15_000;
  while (results.length < published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}, 240_000);

afterAll(async () => {
  await runtime?.stop(3000);
  await subscriber?.endAsync();
  await broker?.stop();
});

describe('demo pipeline end to end (manual clock, real mosquitto, real ORT)', () => {
  it('delivers every result with contiguous seq', () => {
    expect(published).toBeGreaterThanOrEqual(SIM_SECONDS * 10 - 2);
    expect(results).toHaveLength(published);
    results.forEach((r, i) => expect(r.seq).toBe(i));
  });

  it('publishes a retained online status with model hashes and the sync policy', () => {
    const online = statuses.find((s) => s.state === 'online');
    expect(online?.pipelines?.cell_state?.model.sha256).toMatchObject({ enc_camera: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(online?.pipelines?.cell_state?.inputs.eeg).toMatchObject({ policy: 'window', lengthMs: 1000 });
  });

  it('classifies the cell state: top-1 vs ground truth >= 0.95 away from state changes', () => {
    const timeline = new Timeline(SEED);
    let n = 0;
    let correct = 0;
    for (const r of results) {
      const t = BigInt(r.t_ns);
      if (timeline.distanceToChange(t) < 1_000_000_000n) continue;
      n++;
      if (r.label === LABELS[timeline.labelAt(t)]) correct++;
    }
    const acc = correct / n;
    console.log(`e2e accuracy ${acc.toFixed(4)} over ${n} results (of ${results.length})`);
    expect(n).toBeGreaterThan(300);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  });

  it('a silenced LiDAR turns missing while results keep flowing, then fresh again', () => {
    const t0 = BigInt(results[0]?.t_ns ?? '0');
    const at = (r: ResultPayload): number => Number(BigInt(r.t_ns) - t0) / 1e9;
    const during = results.filter((r) => at(r) > SILENT_FROM_S + 1 && at(r) < SILENT_FROM_S + SILENT_FOR_S - 0.2);
    const after = results.filter((r) => at(r) > SILENT_FROM_S + SILENT_FOR_S + 1);
    const before = results.filter((r) => at(r) > 2 && at(r) < SILENT_FROM_S - 1);
    expect(during.length).toBeGreaterThan(80);
    expect(during.every((r) => r.mask.lidar === 'missing')).toBe(true);
    expect(during.every((r) => r.mask.camera !== 'missing' && r.mask.eeg !== 'missing')).toBe(true);
    expect(before.every((r) => r.mask.lidar !== 'missing')).toBe(true);
    expect(after.some((r) => r.mask.lidar === 'fresh')).toBe(true);
    expect(after.filter((r) => r.mask.lidar === 'missing').length).toBeLessThan(after.length * 0.05);
  });

  it('carries lineage: per-source ages, skew and stage latencies', () => {
    const r = results[results.length - 1] as ResultPayload;
    expect(Object.keys(r.lineage.sources).sort()).toEqual(['cam0', 'depth0', 'eeg0', 'lidar0']);
    expect(r.lineage.sources.cam0?.ageMs).toBeGreaterThan(0);
    expect(r.lineage.stageMs?.encode).toBeGreaterThan(0);
    // Disjoint parts of trigger→publish, measured on two threads against one clock: never more than it.
    for (const { lineage } of results) {
      const s = lineage.stageMs!;
      expect(s.handoff).toBeGreaterThan(0);
      expect(s.queue).toBeGreaterThanOrEqual(0);
      expect(s.align + s.handoff! + s.queue! + s.preprocess + s.encode + s.fuse + s.publish).toBeLessThanOrEqual(s.total + 0.01);
    }
    expect(r.model).toMatchObject({ name: expect.any(String), precision: 'int8' });
  });
});
