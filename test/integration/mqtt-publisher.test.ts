import { spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../src/publish/embedded-broker.ts';
import { MqttPublisher } from '../../src/publish/mqtt-publisher.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

/** A real mqtt.js subscriber collecting messages of one filter. */
async function subscriber(url: string, filter: string, protocolVersion: 4 | 5 = 4) {
  const client = await mqtt.connectAsync(url, { protocolVersion, clientId: `sub-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200 });
  const got: { topic: string; payload: string; retain: boolean; props?: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain, props: packet.properties as Record<string, unknown> }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, got };
}

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

let broker: Mosquitto | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe('MqttPublisher against mosquitto', () => {
  it('speaks MQTT 5 (content type, schema user property), publishes birth retained, and loses nothing across a broker outage', async () => {
    broker = await startMosquitto();
    const pub = new MqttPublisher({
      url: broker.url,
      clientId: 'pub-outage',
      birth: { topic: 't/status', payload: '{"state":"online"}', qos: 1, retain: true },
      will: { topic: 't/status', payload: '{"state":"offline"}', qos: 1, retain: true },
      reconnectMinMs: 100,
      reconnectMaxMs: 400,
    });
    await pub.start();
    const sub = await subscriber(broker.url, 't/#', 5);
    for (let i = 0; i < 50; i++) pub.publish({ topic: 't/result', payload: JSON.stringify({ seq: i }), qos: 1, schema: 'x/1' });
    await until(() => sub.got.filter((m) => m.topic === 't/result').length === 50);
    expect(pub.protocolVersion).toBe(5);
    const first = sub.got.find((m) => m.topic === 't/result');
    expect(first?.props?.contentType).toBe('application/json');
    expect(first?.props?.userProperties).toEqual({ schema: 'x/1' });

    // Outage: the broker goes away while results keep coming.
    const port = broker.port;
    await broker.stop();
    await until(() => !pub.connected);
    for (let i = 50; i < 150; i++) pub.publish({ topic: 't/result', payload: JSON.stringify({ seq: i }), qos: 1 });
    expect(pub.stats().queued).toBeGreaterThan(0);
    broker = await startMosquitto('', port);
    const sub2 = await subscriber(broker.url, 't/result', 5);
    await until(() => pub.connected && pub.stats().queued === 0 && pub.stats().inflight === 0, 15_000);
    const seen = (): Set<number> => new Set([...sub.got, ...sub2.got].filter((m) => m.topic === 't/result').map((m) => (JSON.parse(m.payload) as { seq: number }).seq));
    // A PUBACK reaches the publisher while the broker may still be delivering to subscribers (on a
    // busy CI box the last dozen arrived after it): wait for them, then name any that never came.
    await until(() => Array.from({ length: 100 }, (_, k) => 50 + k).every((i) => seen().has(i)), 5000).catch(() => undefined);
    const seqs = seen();
    // The new broker has no memory; messages published during the outage must all arrive.
    for (let i = 50; i < 150; i++) expect(seqs.has(i), `seq ${i}`).toBe(true);
    expect(pub.stats().reconnects).toBeGreaterThanOrEqual(1);
    await pub.stop(2000, { topic: 't/status', payload: '{"state":"offline"}', qos: 1, retain: true });
    await sub.client.endAsync();
    await sub2.client.endAsync();
  });

  it('the will (status offline, retained) is published when the process is killed', async () => {
    broker = await startMosquitto();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/publisher-child.ts', broker.url, 'w/status'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('connected') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const sub = await subscriber(broker.url, 'w/status');
    child.kill('SIGKILL');
    await until(() => sub.got.some((m) => m.payload.includes('offline')));
    // Retained: a late subscriber sees it too.
    const late = await subscriber(broker.url, 'w/status');
    await until(() => late.got.length > 0);
    expect(late.got[0]).toMatchObject({ retain: true, payload: '{"state":"offline"}' });
    await sub.client.endAsync();
    await late.client.endAsync();
  });
});

describe('MqttPublisher against the embedded broker (aedes, MQTT 3.1.1)', () => {
  it('falls back from MQTT 5 to 3.1.1 and delivers in order', async () => {
    const b = new EmbeddedBroker({ port: 0 });
    await b.start();
    const pub = new MqttPublisher({ url: b.url, clientId: 'pub-aedes', protocol: 'auto' });
    await pub.start();
    const sub = await subscriber(b.url, 'a/#');
    for (let i = 0; i < 200; i++) pub.publish({ topic: 'a/r', payload: String(i), qos: 1 });
    await until(() => sub.got.length === 200);
    expect(pub.protocolVersion).toBe(4);
    expect(sub.got.map((m) => Number(m.payload))).toEqual([...Array(200).keys()]);
    await pub.stop(1000);
    await sub.client.endAsync();
    await b.stop();
  });

  it('names the port when it is already taken', async () => {
    const a = new EmbeddedBroker({ port: 0 });
    await a.start();
    const b = new EmbeddedBroker({ port: a.port });
    await expect(b.start()).rejects.toThrow(/already in use/);
    await a.stop();
  });
});
