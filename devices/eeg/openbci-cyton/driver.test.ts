import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import { SourceRunner } from '../../../src/pipeline/source-runner.ts';
import { MockSerialPorts } from '../../transport/serial/serial-transport.ts';
import { createCytonDriver } from './driver.ts';
import { FakeCytonBoard } from './fake-board.ts';
import { uvPerCount, uvToCounts } from './scale.ts';

const MS = 1_000_000n;
let nextPort = 0;

/** Lets the mock binding's nextTick/promise chains run (no wall-clock time passes). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function setup(o: { daisy?: boolean; channels?: 8 | 16 } = {}) {
  const clock = new ManualClock();
  const ports = new MockSerialPorts();
  const path = `/dev/ttyMOCKcyton${nextPort++}`;
  const signal = (n: number, c: number): number => 40 * Math.sin((2 * Math.PI * 10 * n) / 250) + 1000 * c;
  const board = new FakeCytonBoard(ports, path, { signal, ...(o.daisy ? { daisy: true } : {}) });
  const driver = createCytonDriver(ports);
  const events: DeviceEvent[] = [];
  const options = driver.parseOptions({ path, ...(o.channels ? { channels: o.channels } : {}) }, 'sources.eeg0');
  const ctx = { sourceId: 'eeg0', clock, log: silentLogger, onEvent: (e: DeviceEvent) => events.push(e) };
  return { clock, ports, board, driver, options, ctx, events, signal, path };
}

/** Streams `seconds` of packets in 16 ms bursts (4 packets, as an FTDI dongle delivers them). */
async function run(clock: ManualClock, board: FakeCytonBoard, seconds: number): Promise<void> {
  for (let t = 0; t < seconds * 1000; t += 16) {
    board.stream(4);
    await settle(3);
    await clock.advance(16n * MS);
  }
}

describe('eeg/openbci-cyton over a mock serial port', () => {
  it('handshakes (s, v → banner, b) and streams µV chunks matching the board signal within one LSB', async () => {
    const { clock, board, driver, options, ctx, signal } = setup();
    const adapter = await driver.open(options, ctx);
    await settle();
    expect(board.received).toEqual(['s', 'v', 'b']);
    const got: AnySample[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples()) got.push(s);
    })();
    await run(clock, board, 1);
    await adapter.close();
    await pump;
    expect(board.received.at(-1)).toBe('s');
    const eeg = got as Sample<'eeg'>[];
    expect(eeg.length).toBeGreaterThanOrEqual(24);
    const lsb = uvPerCount(24);
    for (const s of eeg.slice(0, 20)) {
      const n = s.payload.data.length / 8;
      for (let c = 0; c < 8; c++) {
        for (let i = 0; i < n; i++) {
          const k = s.payload.firstSampleIndex + i;
          expect(Math.abs(s.payload.data[c * n + i]! - uvToCounts(signal(k, c), 24) * lsb)).toBeLessThan(0.01);
        }
      }
      expect(s.t).toBeLessThanOrEqual(s.receivedAt);
      expect(Number(s.tEnd! - s.t)).toBeCloseTo(((n - 1) * 1e9) / 250, -3);
    }
    expect(adapter.stats()).toMatchObject({ dropped: 0, badBytes: 0, reconnects: 0 });
    expect(eeg.map((s) => s.payload.firstSampleIndex).slice(0, 3)).toEqual([0, 10, 20]);
    // deviceT: the sample counter as ns of the board's 250 Hz sample clock (what clock sync maps).
    expect(eeg.map((s) => s.deviceT).slice(0, 3)).toEqual([0n, 40_000_000n, 80_000_000n]);
  });

  it('unplug → disconnected, no samples, health turns missing; replug → reconnects with backoff and resumes within 2 s', async () => {
    const { clock, board, driver, options, ctx, events } = setup();
    // The pipeline's SourceRunner reports health; it builds its own ctx, so watch the device
    // events through a driver wrapper.
    const watched = { ...driver, open: (o: typeof options) => driver.open(o, { ...ctx, onEvent: (e: DeviceEvent) => events.push(e) }) };
    const runner2 = new SourceRunner({ id: 'eeg0', driver: watched as never, options, description: driver.describe(options) }, clock, silentLogger);
    const arrivals: bigint[] = [];
    runner2.onSample((s) => arrivals.push(s.receivedAt));
    await runner2.start();
    await settle();
    await run(clock, board, 1);
    expect(runner2.health().state).toBe('ok');
    const before = runner2.health().samples;

    board.device.unplug();
    await settle();
    expect(events.at(-1)).toMatchObject({ type: 'disconnected' });
    const atUnplug = runner2.health().samples; // + the partial chunk flushed at the unplug
    expect(atUnplug - before).toBeLessThanOrEqual(1);
    await run(clock, board, 1.5); // the board is unplugged: nothing reaches the host
    expect(runner2.health().samples).toBe(atUnplug);
    expect(runner2.health().state).toBe('missing');

    const replugAt = clock.now();
    board.device.replug();
    let resumedAt: bigint | undefined;
    for (let i = 0; i < 200 && resumedAt === undefined; i++) {
      await run(clock, board, 0.016);
      if (arrivals.some((t) => t > replugAt)) resumedAt = clock.now();
    }
    expect(resumedAt).toBeDefined();
    expect(Number(resumedAt! - replugAt) / 1e6).toBeLessThan(2000);
    expect(events.filter((e) => e.type === 'connected')).toHaveLength(2);
    expect(runner2.health()).toMatchObject({ state: 'ok', reconnects: 1 });
    await run(clock, board, 0.2);
    await runner2.stop();
  });

  it('Daisy: pairs odd/even packets into 16-channel samples at 125 Hz', async () => {
    const { clock, board, driver, ctx, path, signal } = setup({ daisy: true });
    const options = driver.parseOptions({ path, channels: 16 }, 'sources.eeg0');
    const adapter = await driver.open(options, ctx);
    await settle();
    expect(board.received).toEqual(['s', 'v', 'C', 'b']);
    const got: Sample<'eeg'>[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples()) got.push(s as Sample<'eeg'>);
    })();
    await run(clock, board, 0.5);
    await adapter.close();
    await pump;
    const s = got[1]!;
    expect(s.payload).toMatchObject({ channels: 16, rateHz: 125 });
    const n = s.payload.data.length / 16;
    const k = s.payload.firstSampleIndex;
    for (const c of [0, 7, 8, 15]) expect(s.payload.data[c * n]).toBeCloseTo(uvToCounts(signal(k, c), 24) * uvPerCount(24), 2);
  });

  it('parses options with field-named errors', () => {
    const { driver } = setup();
    expect(() => driver.parseOptions({}, 'sources.eeg0')).toThrow(/sources\.eeg0\.path/);
    expect(() => driver.parseOptions({ path: '/dev/x', gains: 5 }, 'sources.eeg0')).toThrow(/sources\.eeg0\.gains/);
    expect(() => driver.parseOptions({ path: '/dev/x', baud: 1 }, 'sources.eeg0')).toThrow(/sources\.eeg0\.baud: unknown option/);
    expect(driver.parseOptions({ path: '/dev/x', gains: 8 }, 'p').gains).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
  });
});
