import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { MqttOutput } from '../../../src/pipeline/mqtt-output.ts';
import { statusPayload, type ResultPayload } from '../../../src/publish/payload-schema.ts';
import { freePort, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';
import { makePki, type Pki } from '../../helpers/pki.ts';

/**
 * mqtts with mutual TLS against a real mosquitto whose CA and certificates openssl makes here.
 * The runtime's MQTT side is configured from YAML-shaped config exactly as `run` does it.
 */
let pki: Pki;
let broker: Mosquitto;
let tlsPort: number;

beforeAll(async () => {
  pki = makePki();
  for (const f of readdirSync(pki.dir)) chmodSync(join(pki.dir, f), 0o644);
  tlsPort = await freePort();
  broker = await startMosquitto(
    [`listener ${tlsPort} 127.0.0.1`, `cafile ${pki.ca}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`, 'require_certificate true', 'allow_anonymous true'].join('\n'),
  );
}, 60_000);
afterAll(async () => broker?.stop());

function output(tls: Record<string, unknown>, dir = pki.dir): MqttOutput {
  const config = parseConfig({
    device: { id: 'cell-01', site: 'lab' },
    sources: {},
    pipelines: {},
    outputs: { mqtt: { broker: 'external', url: `mqtts://127.0.0.1:${tlsPort}`, tls, spool: false, reconnect: { min: '100ms', max: '300ms' } } },
  });
  return new MqttOutput({ config: config.outputs.mqtt, device: 'cell-01', site: 'lab', version: 't', baseDir: dir, log: silentLogger });
}

const offline = statusPayload.parse({ v: 1, state: 'offline', ts: '2026-01-01T00:00:00.000Z', device: 'cell-01', site: 'lab' });
const start = (o: MqttOutput) => o.start({ offline, commands: new Map(), pipelines: [] });
const result = (seq: number) => ({ v: 1, seq, pipeline: 'p', t_ns: '1', label: 'x' }) as unknown as ResultPayload;
const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('MQTT over TLS with client certificates', () => {
  it('connects with the right CA and client certificate, and delivers', async () => {
    const o = output({ ca: 'ca.crt', cert: 'client.crt', key: 'client.key' });
    await start(o);
    await until(() => o.stats()?.connected === true);
    const sub = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), clientId: 'tls-sub' });
    const got: string[] = [];
    sub.on('message', (_t, p) => got.push(p.toString()));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/p/result', { qos: 1 });
    for (let i = 0; i < 5; i++) o.publishResult(result(i), 1);
    await until(() => got.length === 5);
    await sub.endAsync();
    await o.stop(offline, 1000);
  });

  it('a wrong CA fails with a clear error, and results keep spooling', async () => {
    const o = output({ ca: 'other-ca.crt', cert: 'client.crt', key: 'client.key' });
    await start(o);
    await until(() => o.stats()?.lastError !== undefined);
    expect(o.stats()?.lastError).toMatch(/TLS: the broker's certificate is not trusted by the configured CA.*outputs\.mqtt\.tls\.ca/);
    for (let i = 0; i < 7; i++) o.publishResult(result(i), 1);
    expect(o.stats()).toMatchObject({ connected: false, queued: 7 });
    await o.stop(offline, 300);
  });

  it('a missing client certificate fails with a clear error, and results keep spooling', async () => {
    const o = output({ ca: 'ca.crt' });
    await start(o);
    await until(() => o.stats()?.lastError !== undefined);
    console.log(`missing client certificate → ${o.stats()?.lastError}`);
    expect(o.stats()?.lastError).toMatch(/TLS: the broker rejected the handshake.*client certificate.*outputs\.mqtt\.tls\.cert/);
    o.publishResult(result(0), 1);
    expect(o.stats()).toMatchObject({ connected: false, queued: 1 });
    await o.stop(offline, 300);
  });

  it('a certificate file that does not exist is a config error naming the field', () => {
    expect(() => output({ ca: 'ca.crt', cert: 'nope.crt', key: 'client.key' })).toThrow(ConfigError);
    expect(() => output({ ca: 'ca.crt', cert: 'nope.crt', key: 'client.key' })).toThrow(/outputs\.mqtt\.tls\.cert: cannot read .*nope\.crt/);
  });
});
