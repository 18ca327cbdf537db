import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdReplyPayload, statusPayload } from '../../../src/publish/payload-schema.ts';
import { decodeSparkplug, type SparkplugPayload } from '../../../src/publish/sparkplug-codec.ts';
import { demoRuntime, memoryLogger, type DemoRuntime } from '../../helpers/demo-runtime.ts';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';

/**
 * The MQTT contract seen from outside, against a real mosquitto (MQTT 5): payloads decoded and
 * schema-checked by an independent stack (Paho + python-jsonschema), commands with MQTT 5
 * request/response, Home Assistant discovery, and a Sparkplug B edge node.
 */
let broker: Mosquitto;
let d: DemoRuntime;
let client: mqtt.MqttClient;
const BASE = 'sensorium/v1/lab/cell-01';
const received = new Map<string, { payload: Buffer; packet: mqtt.IPublishPacket }[]>();
let paho: Promise<{ counts: Record<string, number>; errors: string[]; seqs: number[] }>;

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const on = (filter: string) => [...received.entries()].filter(([t]) => topicMatch(filter, t)).flatMap(([, m]) => m);
function topicMatch(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  return f.every((x, i) => x === '#' || x === '+' || x === t[i]) && (f.includes('#') || f.length === t.length);
}

beforeAll(async () => {
  broker = await startMosquitto();
  // Paho first, so it sees everything from the birth on.
  const py = spawn('/usr/bin/python3', ['test/helpers/validate_payloads.py', '127.0.0.1', String(broker.port), BASE, 'deploy/schema', '40', '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  py.stdout?.on('data', (x: Buffer) => (out += x.toString()));
  await until(() => out.includes('ready'));
  paho = new Promise((resolve, reject) => py.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string)) : reject(new Error(`paho validator exited ${code}: ${out}`)))));

  client = await mqtt.connectAsync(broker.url, { clientId: 'contract-test', protocolVersion: 5 });
  client.on('message', (topic, payload, packet) => received.set(topic, [...(received.get(topic) ?? []), { payload, packet }]));
  await client.subscribeAsync(['homeassistant/#', 'spBv1.0/plant/#', 'test/replies', `${BASE}/cmd/+/res`, `${BASE}/status`], { qos: 1 });

  d = await demoRuntime((c) => {
    c.outputs.mqtt = { broker: 'external', url: broker.url, qos: 1, spool: { dir: 'spool' }, healthEvery: '1s', homeAssistant: {}, sparkplug: { group: 'plant' } };
  }, memoryLogger());
  await d.runtime.start();
  await d.run(6);
}, 120_000);

afterAll(async () => {
  await d?.runtime.stop(2000);
  await client?.endAsync();
  await broker?.stop();
});

describe('MQTT contract v1 against mosquitto', () => {
  it('an independent client (Paho + jsonschema) decodes every payload per the published JSON Schemas', async () => {
    const r = await paho;
    console.log(`paho: ${JSON.stringify(r.counts)}, ${r.errors.length} schema errors`);
    expect(r.errors).toEqual([]);
    expect(r.counts.result).toBeGreaterThanOrEqual(40);
    expect(r.counts.status).toBeGreaterThanOrEqual(1);
    expect(r.counts.health).toBeGreaterThanOrEqual(3);
    expect(r.counts.event).toBeGreaterThanOrEqual(1);
    expect(r.seqs).toEqual(Array.from({ length: r.seqs.length }, (_, i) => i));
  });

  it('MQTT 5 properties: content type and schema user property', async () => {
    const status = on(`${BASE}/status`)[0];
    expect(status?.packet.properties?.contentType).toBe('application/json');
    expect(status?.packet.properties?.userProperties).toEqual({ schema: 'sensorium.status/1' });
    expect(statusPayload.parse(JSON.parse(status?.payload.toString() ?? '{}')).state).toBe('online');
  });

  it('cmd/snapshot answers on the responseTopic with the correlation data', async () => {
    await client.publishAsync(`${BASE}/cmd/snapshot`, '', { qos: 1, properties: { responseTopic: 'test/replies', correlationData: Buffer.from('req-1') } });
    await until(() => on('test/replies').length >= 1);
    const m = on('test/replies')[0]!;
    expect(m.packet.properties?.correlationData?.toString()).toBe('req-1');
    const reply = cmdReplyPayload.parse(JSON.parse(m.payload.toString()));
    expect(reply).toMatchObject({ command: 'snapshot', ok: true });
    expect((reply.result as { health: { pipelines: Record<string, unknown> } }).health.pipelines.cell_state).toBeDefined();
  });

  it('a malformed or unknown command gets an error reply and nothing crashes', async () => {
    const before = d.results.length;
    await client.publishAsync(`${BASE}/cmd/snapshot`, '{"id": 7, nope', { qos: 1 });
    await client.publishAsync(`${BASE}/cmd/launch-missiles`, '{"id": 8}', { qos: 1 });
    await until(() => on(`${BASE}/cmd/+/res`).length >= 2);
    const replies = on(`${BASE}/cmd/+/res`).map((m) => cmdReplyPayload.parse(JSON.parse(m.payload.toString())));
    expect(replies.find((r) => r.command === 'snapshot')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(replies.find((r) => r.command === 'launch-missiles')).toMatchObject({ id: 8, ok: false, error: expect.stringMatching(/unknown command.*snapshot, reload-models/) });
    await d.run(1);
    expect(d.results.length).toBeGreaterThan(before + 5);
  });

  it('cmd/reload-models loads a fresh worker (hashes re-checked) and results continue', async () => {
    await client.publishAsync(`${BASE}/cmd/reload-models`, '{"id": "r1"}', { qos: 1, properties: { responseTopic: 'test/replies', correlationData: Buffer.from('req-2') } });
    await until(() => on('test/replies').some((m) => m.packet.properties?.correlationData?.toString() === 'req-2'), 30_000);
    const m = on('test/replies').find((x) => x.packet.properties?.correlationData?.toString() === 'req-2')!;
    const reply = cmdReplyPayload.parse(JSON.parse(m.payload.toString()));
    expect(reply).toMatchObject({ ok: true, id: 'r1' });
    const before = d.results.length;
    await d.run(1);
    expect(d.results.length).toBeGreaterThanOrEqual(before + 9);
  });

  it('Home Assistant discovery: a retained enum sensor per pipeline, available from status', async () => {
    // Home Assistant may subscribe long after the device started: the config must be retained.
    const late = await mqtt.connectAsync(broker.url, { clientId: 'ha-late' });
    const got: { topic: string; payload: string; retain: boolean }[] = [];
    late.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await late.subscribeAsync('homeassistant/#', { qos: 1 });
    await until(() => got.length >= 1);
    await late.endAsync();
    expect(got[0]?.topic).toBe('homeassistant/sensor/sensorium_cell-01/cell_state/config');
    expect(got[0]?.retain).toBe(true);
    const cfg = JSON.parse(got[0]?.payload ?? '{}') as Record<string, unknown>;
    expect(cfg).toMatchObject({
      state_topic: `${BASE}/cell_state/result`,
      value_template: '{{ value_json.label }}',
      availability_topic: `${BASE}/status`,
      payload_available: 'online',
      device_class: 'enum',
      options: ['producing', 'unattended', 'manual', 'break'],
    });
  });

  it('Sparkplug B: NBIRTH (seq 0, bdSeq), DBIRTH, DDATA with seq counting on', () => {
    const dec = (f: string): SparkplugPayload[] => on(f).map((m) => decodeSparkplug(m.payload));
    const nbirth = dec('spBv1.0/plant/NBIRTH/cell-01')[0];
    const dbirth = dec('spBv1.0/plant/DBIRTH/cell-01/cell_state')[0];
    const ddata = dec('spBv1.0/plant/DDATA/cell-01/cell_state');
    expect(nbirth?.seq).toBe(0);
    expect(nbirth?.metrics.find((x) => x.name === 'bdSeq')?.type).toBe('UInt64');
    expect(dbirth?.seq).toBe(1);
    expect(dbirth?.metrics.map((x) => x.name)).toEqual(expect.arrayContaining(['label', 'score', 'seq', 'mask/camera']));
    expect(ddata.length).toBeGreaterThan(30);
    ddata.forEach((p, i) => expect(p.seq).toBe((i + 2) % 256));
    expect(ddata[ddata.length - 1]?.metrics.find((x) => x.name === 'label')?.value).toMatch(/producing|unattended|manual|break/);
  });

  it('shutdown: Sparkplug NDEATH carries the NBIRTH bdSeq; status goes offline', async () => {
    const bdSeq = (m: SparkplugPayload | undefined) => m?.metrics.find((x) => x.name === 'bdSeq')?.value;
    const births = on('spBv1.0/plant/NBIRTH/cell-01').map((m) => decodeSparkplug(m.payload));
    await d.runtime.stop(3000);
    await until(() => on('spBv1.0/plant/NDEATH/cell-01').length > 0);
    const death = decodeSparkplug(on('spBv1.0/plant/NDEATH/cell-01')[0]!.payload);
    expect(bdSeq(death)).toBe(bdSeq(births[births.length - 1]));
    await until(() => on(`${BASE}/status`).some((m) => m.payload.toString().includes('"offline"')));
  });
});
