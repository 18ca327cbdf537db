import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { resultPayload } from '../../../src/publish/payload-schema.ts';
import { demoConfig } from '../../helpers/demo-config.ts';
import { freePort, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';

/**
 * Results survive a broker outage and a power-cut-like crash of the runtime during it:
 * broker stopped while results keep coming → runtime SIGKILLed mid-outage → runtime restarted
 * (still no broker) → broker back. A persistent-session subscriber must receive every QoS 1
 * result — after de-duplication by seq, none missing, in order.
 */
const CLI = ['--import', 'tsx', resolve('src/main.ts')];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procs: ChildProcess[] = [];
let broker: Mosquitto | undefined;

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await broker?.stop();
});

function runtime(file: string): { proc: ChildProcess; log: () => string } {
  const proc = spawn(process.execPath, [...CLI, 'run', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(proc);
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return { proc, log: () => log };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('durable results across a broker outage and kill -9', () => {
  it('loses nothing', async () => {
    const port = await freePort();
    const { file, dir } = demoConfig((c) => {
      c.outputs.mqtt = { broker: 'external', url: `mqtt://127.0.0.1:${port}`, qos: 1, spool: { dir: 'spool', fsync: '50ms' }, reconnect: { min: '100ms', max: '500ms' } };
      delete (c.sources.lidar0 as Record<string, unknown>).faults;
    });
    const persist = `persistence true\npersistence_location ${join(dir, 'broker')}/\nautosave_interval 1`;
    const { mkdirSync, chmodSync } = await import('node:fs');
    mkdirSync(join(dir, 'broker'), { recursive: true });
    chmodSync(join(dir, 'broker'), 0o777);
    broker = await startMosquitto(persist, port);

    const got: number[] = [];
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'durable-sub', clean: false, reconnectPeriod: 200 });
    sub.on('message', (_t, payload) => got.push(resultPayload.parse(JSON.parse(payload.toString())).seq));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/cell_state/result', { qos: 1 });

    // 1. Running and delivering.
    const first = runtime(file);
    await until(() => got.length >= 20, 30_000, 'first results');
    // 2. Broker outage while results keep coming (spooled).
    await broker.stop();
    await sleep(2000);
    // 3. Power cut during the outage.
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    // 4. Back up, still no broker: resumes the spool, keeps producing.
    const second = runtime(file);
    await until(() => second.log().includes('sensorium running'), 30_000, 'restart');
    expect(second.log()).toMatch(/resuming unacknowledged messages/);
    await sleep(1500);
    // 5. Broker back (same persistent store: the subscriber's session and queue survive).
    broker = await startMosquitto(persist, port);
    await until(() => second.log().includes('mqtt connected'), 15_000, 'reconnect');
    await sleep(1500);
    second.proc.kill('SIGTERM');
    expect(await new Promise((r) => second.proc.once('exit', r))).toBe(0);
    await sleep(500);
    await sub.endAsync();

    // De-duplicate by seq (at-least-once), then check completeness and order.
    const firstSeen: number[] = [];
    const seen = new Set<number>();
    for (const s of got) {
      if (seen.has(s)) continue;
      seen.add(s);
      firstSeen.push(s);
    }
    const max = Math.max(...firstSeen);
    const missing = Array.from({ length: max + 1 }, (_, i) => i).filter((i) => !seen.has(i));
    console.log(`durability: ${firstSeen.length} distinct results (seq 0..${max}), ${got.length - firstSeen.length} duplicates, lost ${missing.length}`);
    expect(missing).toEqual([]);
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
    // Results were produced during the outage by both runtimes (more than the first 20 + after).
    expect(max).toBeGreaterThan(50);
  }, 120_000);
});
