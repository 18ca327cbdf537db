import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Calibration, FactoryId, Model, PointCloud as FoxCloud, RawPacket, Transformer } from '@foxglove/velodyne-cloud';
import { describe, expect, it } from 'vitest';
import { captureReaders } from '../../../devices/captures.ts';
import { readPcap } from '../../../devices/formats/pcap.ts';
import type { CaptureStreamSummary } from '../../../src/core/capture.ts';
import { inspectCaptureCommand } from '../../../src/cli/inspect-capture.ts';
import { devicesCommand } from '../../../src/cli/devices.ts';
import type { DeviceDriver } from '../../../src/core/device.ts';

const FIX = new URL('../../fixtures/', import.meta.url);
const path = (p: string): string => new URL(p, FIX).pathname;

async function inspect(file: string, metadata?: string): Promise<{ code: number; text: string; streams: Record<string, CaptureStreamSummary> }> {
  let text = '';
  const out = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  const code = await inspectCaptureCommand(path(file), { json: false, ...(metadata ? { metadata: path(metadata) } : {}) }, captureReaders, out);
  if (code !== 0) return { code, text, streams: {} };
  const last = text.trim().split('\n').at(-1) as string;
  return { code, text, streams: (JSON.parse(last) as { streams: Record<string, CaptureStreamSummary> }).streams };
}

describe('sensorium inspect <capture> (last line: one JSON object)', () => {
  it('VLP-16 pcap: points and first point as @foxglove/velodyne-cloud computes them; ~10 rev/s; 16 position packets', async () => {
    const { code, streams } = await inspect('velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap');
    expect(code).toBe(0);
    // Independent decoder over the same packets (told the model: the product byte predates fw 3.0.29).
    const t = new Transformer(new Calibration(Model.VLP16));
    let n = 0;
    let first: number[] | undefined;
    for (const d of readPcap(readFileSync(path('velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap'))).datagrams.filter((x) => x.payload.length === 1206)) {
      const raw = new RawPacket(d.payload);
      raw.factoryId = FactoryId.VLP16;
      const cloud = new FoxCloud({ stamp: 0, maxPoints: 384 });
      t.unpack(raw, 0, 0, cloud);
      n += cloud.width;
      if (!first && cloud.width > 0) first = [cloud.point(0).x, cloud.point(0).y, cloud.point(0).z];
    }
    const lidar = streams['lidar']!;
    expect(lidar).toMatchObject({ kind: 'cloud', points: n, model: 'VLP-16' });
    lidar.firstPoint!.forEach((v, i) => expect(Math.abs(v - first![i]!)).toBeLessThan(0.001));
    expect(lidar.rateHz).toBeCloseTo(10, 0);
    expect(streams['position']).toMatchObject({ kind: 'position', count: 16, first: [0, expect.any(Number)] });
  });

  it('Ouster pcap with --metadata: first pixel 12958 mm / 14 / 60 / 632 (SOURCE.md), one frame at 10 Hz', async () => {
    const { code, streams } = await inspect('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap', 'ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.json');
    expect(code).toBe(0);
    expect(streams['lidar']).toMatchObject({ kind: 'cloud', count: 1, rateHz: 10, first: [12958, 14, 60, 632] });
    expect(streams['lidar']!.points).toBeGreaterThan(20_000);
    // Pixel 0 is 12.958 m away along beam 0: the first point's distance from the beam origin.
    expect(Math.hypot(...(streams['lidar']!.firstPoint as [number, number, number]))).toBeCloseTo(12.96, 1);
  });

  it('Ouster pcap without metadata: a clear error, exit 1', async () => {
    const { code, text } = await inspect('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap');
    expect(code).toBe(1); // the message ("… pass --metadata <sensor.json>") goes to stderr
    expect(text).toBe('');
  });

  it('RealSense bag: 2 depth frames, centre pixels 1536 / 1540 and the SOURCE.md hashes', async () => {
    const { streams } = await inspect('realsense/intel-d435__single-depth-color-640x480.bag');
    expect(streams['depth']).toMatchObject({
      kind: 'depth', count: 2, first: [1536], centre: [1536, 1540],
      sha256: ['c5ae993b10a1fd360d4c3d62eee32fd8a295d558c4d89906f954103700220563', '403f8ff8d0f8cab1a42d2354cb816cf6bda0c4205c0dc6e1e370de8169012c67'],
    });
    expect(streams['depth']!.rateHz).toBeCloseTo(6, 0);
  });

  it('EEG files: OpenBCI GUI, EDF, BrainFlow CSV — rate, count, the first row as written', async () => {
    const gui = (await inspect('openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt')).streams['eeg']!;
    expect(gui).toMatchObject({ kind: 'eeg', count: 22490, rateHz: 250, first: [61379.36, 49492.89, -16597.06, -21309.75, 6703.91, -3284.86, 7223.1, 1740.11] });
    const edf = (await inspect('edf/edfbrowser__test-generator.edf')).streams['eeg']!;
    expect(edf).toMatchObject({ kind: 'eeg', count: 120000, rateHz: 200, durationS: 600 });
    const bf = (await inspect('brainflow/openbci-cyton__brainflow-csv-from-gui-v6.head2500.csv')).streams['eeg']!;
    expect(bf).toMatchObject({ count: 2500, rateHz: 250, first: gui.first });
  });
});

describe('sensorium devices', () => {
  it('lists what each driver found and, clearly, why a driver could not look', async () => {
    const ok: DeviceDriver = { name: 'a/ok', parseOptions: () => ({}), describe: () => ({ kind: 'eeg', modality: 'eeg', nominalHz: 1, bytesPerSample: 1 }), list: () => Promise.resolve({ devices: [{ path: '/dev/x', description: 'thing', driver: 'a/ok' }], problems: [] }), open: () => Promise.reject(new Error('no')) };
    const blind: DeviceDriver = { ...ok, name: 'b/blind', list: () => Promise.resolve({ devices: [], problems: ['serial ports: cannot enumerate with udev (spawn udevadm ENOENT)'] }) };
    const broken: DeviceDriver = { ...ok, name: 'c/broken', list: () => Promise.reject(new Error('EACCES')) };
    const hung: DeviceDriver = { ...ok, name: 'd/hung', list: () => new Promise(() => undefined) };
    let text = '';
    const out = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
    expect(await devicesCommand({ drivers: new Map([ok, blind, broken, hung].map((d) => [d.name, d])) }, { json: false, timeoutMs: 100 }, out)).toBe(0);
    expect(text).toContain('/dev/x');
    expect(text).toContain('! serial ports: cannot enumerate with udev (spawn udevadm ENOENT)');
    expect(text).toContain('! c/broken: could not look: EACCES');
    expect(text).toContain('! d/hung: could not look: list() did not answer within 100 ms');
    expect(text).toMatch(/1 device\(s\) found by 4 driver\(s\)/);
  });
});
