import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnySample, DeviceAdapter, DeviceContext } from '../../../src/core/index.ts';
import { encodeZ16Frame } from '../../depth/z16/decoder.ts';
import { z16DepthDriver } from '../../depth/z16/driver.ts';
import { createCytonDriver } from '../../eeg/openbci-cyton/driver.ts';
import { FakeCytonBoard } from '../../eeg/openbci-cyton/fake-board.ts';
import type { VelodyneAdapter } from '../../lidar/velodyne/adapter.ts';
import { velodyneDriver } from '../../lidar/velodyne/driver.ts';
import { MockSerialPorts } from '../../transport/serial/serial-transport.ts';
import { encodeSweep } from './vlp16-encoder.ts';

/** The device end of a wire: what the simulated sensor sends, and the real driver reading it. */
export interface Wire {
  /** The real driver's adapter: its samples are the wire-mode source's samples. */
  inner: DeviceAdapter;
  /** Sends one simulated frame in the device's real format. */
  send(sample: AnySample): void;
  close(): Promise<void>;
}

let serial = 0;

/** EEG: Cyton packets through @serialport/binding-mock to the real eeg/openbci-cyton driver. */
export async function cytonWire(ctx: DeviceContext): Promise<Wire> {
  const ports = new MockSerialPorts();
  const path = `/dev/ttySIMcyton${process.pid}-${serial++}`;
  const board = new FakeCytonBoard(ports, path);
  const driver = createCytonDriver(ports);
  const inner = await driver.open(driver.parseOptions({ path }, `${ctx.sourceId}.wire`), ctx);
  return {
    inner,
    send(s) {
      if (s.kind === 'eeg') board.streamValues(s.payload.data, s.payload.channels);
    },
    close: () => inner.close(),
  };
}

/**
 * LiDAR: VLP-16 packets over loopback UDP to the real lidar/velodyne driver (output: scan). The
 * minimum range drops to 0.1 m: the simulated scanner is an RPLIDAR-like unit that sees 0.15 m.
 */
export async function velodyneWire(ctx: DeviceContext): Promise<Wire> {
  const driver = velodyneDriver;
  const inner = (await driver.open(driver.parseOptions({ port: 0, positionPort: 0, host: '127.0.0.1', model: 'VLP-16', output: 'scan', scanBins: 360, minRangeM: 0.1 }, `${ctx.sourceId}.wire`), ctx)) as VelodyneAdapter;
  const sock = createSocket('udp4');
  return {
    inner,
    send(s) {
      // Until the driver has bound its port the packets go nowhere, as with a real sensor.
      if (s.kind !== 'scan' || inner.boundPort === 0) return;
      const deviceUs = Number((s.deviceT ?? s.t) / 1000n);
      for (const p of encodeSweep(s.payload, deviceUs)) sock.send(p, inner.boundPort, '127.0.0.1');
    },
    async close() {
      sock.close();
      await inner.close();
    },
  };
}

/** Depth: DZ16 frames over a Unix socket to the real depth/z16 driver (as a depth sidecar serves them). */
export async function z16Wire(ctx: DeviceContext): Promise<Wire> {
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-sim-z16-'));
  const path = join(dir, 'depth.sock');
  const clients = new Set<Socket>();
  const server = createServer((c) => {
    clients.add(c);
    c.on('close', () => clients.delete(c));
    c.on('error', () => clients.delete(c));
  });
  await new Promise<void>((r) => server.listen(path, r));
  const inner = await z16DepthDriver.open(z16DepthDriver.parseOptions({ socket: path, width: 640, height: 480 }, `${ctx.sourceId}.wire`), ctx);
  let seq = 0;
  return {
    inner,
    send(s) {
      if (s.kind !== 'depth' || clients.size === 0) return;
      const bytes = encodeZ16Frame(s.payload, { seq: seq++, ...(s.deviceT !== undefined ? { device_ts_us: Number(s.deviceT / 1000n) } : {}) });
      for (const c of clients) c.write(bytes);
    },
    async close() {
      for (const c of clients) c.destroy();
      await inner.close();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
