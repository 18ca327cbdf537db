import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { resultPayload } from '../../../src/publish/payload-schema.ts';
import { demoRuntime, memoryLogger } from '../../helpers/demo-runtime.ts';
import { freePort, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';

/**
 * Broker unreachable from the start and a tiny spool: the runtime runs anyway, spools, reports it
 * in health and logs; the bound drops the **oldest** results, every drop counted; when the broker
 * appears, what is left is delivered in order.
 */
let broker: Mosquitto | undefined;
afterAll(async () => broker?.stop());

const until = async (cond: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('spool bounds with the broker unreachable at start', () => {
  it('runs, spools, reports, drops oldest first, then delivers the rest', async () => {
    const port = await freePort();
    const log = memoryLogger();
    // A persistent subscriber session first (broker store survives restarts), then the broker goes
    // away before the runtime starts: whatever the runtime delivers later reaches this session.
    const store = mkdtempSync(join(tmpdir(), 'sensorium-mosq-store-'));
    chmodSync(store, 0o777);
    const persist = `persistence true\npersistence_location ${store}/`;
    broker = await startMosquitto(persist, port);
    const got: number[] = [];
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'late-sub', clean: false, reconnectPeriod: 100 });
    sub.on('message', (_t, p) => got.push(resultPayload.parse(JSON.parse(p.toString())).seq));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/cell_state/result', { qos: 1 });
    await broker.stop();
    const d = await demoRuntime((c) => {
      c.outputs.mqtt = { broker: 'external', url: `mqtt://127.0.0.1:${port}`, qos: 1, spool: { dir: 'spool', maxBytes: '24KB' }, reconnect: { min: '100ms', max: '200ms' } };
    }, log);
    await d.runtime.start();
    await d.run(8);
    const h = d.runtime.health();
    console.log(`spool bound: ${d.results.length} results, health.mqtt ${JSON.stringify(h.mqtt)}`);
    expect(d.results.length).toBeGreaterThanOrEqual(78);
    expect(h.mqtt.connected).toBe(false);
    expect(h.mqtt.lastError).toMatch(/broker unreachable: connection refused/);
    expect(h.mqtt.dropped).toBeGreaterThan(0);
    expect(h.mqtt.queued).toBeGreaterThan(5);
    expect(h.mqtt.spoolBytes).toBeLessThanOrEqual(24_000);
    expect(log.lines.some((l) => l.level === 'warn' && /will retry/.test(l.msg) && /connection refused/.test(JSON.stringify(l.obj)))).toBe(true);

    // The broker appears: the kept (newest) results arrive, in order.
    broker = await startMosquitto(persist, port);
    await until(() => d.runtime.health().mqtt.queued === 0 && d.runtime.health().mqtt.connected);
    await until(() => got.length > 0 && got[got.length - 1] === d.results[d.results.length - 1]?.seq);
    const last = d.results[d.results.length - 1]?.seq as number;
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => last - got.length + 1 + i));
    expect(got[0]).toBeGreaterThan(0); // the oldest went
    await sub.endAsync();
    await d.runtime.stop(2000);
  }, 120_000);
});
