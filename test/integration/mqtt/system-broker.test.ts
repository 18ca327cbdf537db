import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { TUNING } from '../../../src/publish/system-broker.ts';
import { resultPayload } from '../../../src/publish/payload-schema.ts';
import { demoRuntime, memoryLogger } from '../../helpers/demo-runtime.ts';
import { freePort } from '../../helpers/mosquitto.ts';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('broker: system (Debian mosquitto spawned and supervised by the runtime)', () => {
  it('the generated config carries exactly the tuning of deploy/mosquitto/sensorium.conf', () => {
    const shipped = readFileSync('deploy/mosquitto/sensorium.conf', 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const line of TUNING) expect(shipped).toContain(line);
  });

  it('starts mosquitto, speaks MQTT 5 through it, and stops it on shutdown', async () => {
    const port = await freePort();
    const d = await demoRuntime((c, dir) => {
      c.outputs.mqtt = { broker: 'system', port, qos: 1, spool: { dir: 'spool' } };
      process.env.STATE_DIRECTORY = dir;
    }, memoryLogger());
    try {
      await d.runtime.start();
    } finally {
      delete process.env.STATE_DIRECTORY;
    }
    expect(d.runtime.publisher?.protocolVersion).toBe(5);
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'sys-sub', protocolVersion: 5 });
    const got: number[] = [];
    sub.on('message', (_t, p) => got.push(resultPayload.parse(JSON.parse(p.toString())).seq));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/+/result', { qos: 1 });
    await d.run(3);
    await d.runtime.publisher?.flush(5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.length).toBeGreaterThanOrEqual(25);
    await sub.endAsync();
    await d.runtime.stop(3000);
    expect(await portOpen(port)).toBe(false);
  }, 60_000);
});
