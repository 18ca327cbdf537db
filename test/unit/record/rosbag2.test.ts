import { readFileSync } from 'node:fs';
import { McapIndexedReader, McapWriter } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { describe, expect, it } from 'vitest';
import type { AnySample } from '../../../src/core/sample.ts';
import { memorySource } from '../../../src/record/mcap/byte-source.ts';
import { McapLogFile } from '../../../src/record/mcap/log-file.ts';
import { openMcapBytes } from '../../../src/record/mcap/open-log.ts';

const TALKER = 'test/fixtures/rosbag2/ros2-rosbag2__talker.mcap';

describe('rosbag2 (MCAP storage, CDR)', () => {
  it('the real talker bag: no sensor topics — each skipped with a note; its chunk read agrees with @mcap/core', async () => {
    const bytes = new Uint8Array(readFileSync(TALKER));
    const log = await openMcapBytes(bytes, TALKER);
    expect(log.info.format).toBe('rosbag2');
    expect(log.info.library).toBe('mcap go #(devel)');
    expect(log.info.sources).toEqual([]);
    expect(log.info.notes).toContain('skipped /topic (std_msgs/msg/String, cdr): not a sensor message Sensorium maps');
    expect(log.info.notes.some((n) => n.startsWith('skipped /rosout (rcl_interfaces/msg/Log'))).toBe(true);
    const samples: AnySample[] = [];
    for await (const s of log.samples()) samples.push(s);
    expect(samples).toEqual([]);
    await log.close();

    // Every message of a file we did not write, through our chunk reader and through @mcap/core.
    const ours = [];
    for await (const m of (await McapLogFile.open(memorySource(bytes))).messages()) ours.push([m.channelId, m.sequence, m.logTime, Buffer.from(m.data).toString('hex')]);
    const reader = await McapIndexedReader.Initialize({ readable: { size: () => Promise.resolve(BigInt(bytes.length)), read: (o, n) => Promise.resolve(bytes.subarray(Number(o), Number(o + n))) }, decompressHandlers: await loadDecompressHandlers() });
    const theirs = [];
    for await (const m of reader.readMessages()) theirs.push([m.channelId, m.sequence, m.logTime, Buffer.from(m.data).toString('hex')]);
    expect(ours).toHaveLength(20);
    expect(ours).toEqual(theirs);
    // notes/sensor-protocols.md §8.3: the first /topic message.
    expect(ours.find((m) => m[2] === 1585866235112609068n)?.[3]).toBe(Buffer.from([0, 1, 0, 0, 16, 0, 0, 0, ...Buffer.from('Hello, world! 0\0')]).toString('hex'));
  });

  it('maps sensor_msgs Image (rgb8 padded, bgr8, 16UC1), CompressedImage, LaserScan and PointCloud2 to samples', async () => {
    const bag = await syntheticBag();
    const log = await openMcapBytes(bag, 'synthetic.mcap');
    expect(log.info.sources.map((s) => [s.id, s.kind, s.description.modality]).sort()).toEqual([
      ['cam_bgr', 'image', 'camera'],
      ['cam_jpeg', 'image', 'camera'],
      ['cam_rgb', 'image', 'camera'],
      ['depth_image', 'depth', 'depth'],
      ['points', 'cloud', 'lidar'],
      ['scan', 'scan', 'lidar'],
    ]);
    expect(log.info.notes).toContain('skipped /chatter (std_msgs/msg/String, cdr): not a sensor message Sensorium maps');
    const got = new Map<string, AnySample[]>();
    for await (const s of log.samples()) got.set(s.sourceId, [...(got.get(s.sourceId) ?? []), s]);
    const rgb = got.get('cam_rgb')?.[1];
    expect(rgb).toMatchObject({ seq: 1, t: STAMP + 1n, receivedAt: LOG_T + 1n, payload: { width: 3, height: 2, format: 'rgb24' } });
    expect([...(rgb?.payload as { data: Uint8Array }).data]).toEqual([...Array(18).keys()]);
    expect([...(got.get('cam_bgr')?.[0]?.payload as { data: Uint8Array }).data.slice(0, 6)]).toEqual([2, 1, 0, 5, 4, 3]);
    expect(got.get('depth_image')?.[0]?.payload).toEqual({ width: 2, height: 2, unitM: 0.001, data: Uint16Array.of(1000, 0, 65535, 1234) });
    expect(got.get('cam_jpeg')?.[0]?.payload).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
    const scan = got.get('scan')?.[0];
    expect(scan).toMatchObject({ t: STAMP, tEnd: STAMP + BigInt(Math.round(Math.fround(0.1) * 1e9)), payload: { angleMin: Math.fround(-1.5), angleIncrement: Math.fround(0.5), rangeMin: Math.fround(0.1), rangeMax: 12 } });
    expect([...(scan?.payload as { ranges: Float32Array }).ranges]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const cloud = got.get('points')?.[0]?.payload as { count: number; xyz: Float32Array; intensity: Float32Array; ring: Uint16Array; timeOffset: Float32Array };
    expect(cloud.count).toBe(4);
    expect([...cloud.xyz]).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    expect([...cloud.intensity]).toEqual([5, 6, 7, 8]);
    expect([...cloud.ring]).toEqual([0, 1, 2, 3]);
    expect([...cloud.timeOffset]).toEqual([0, 1e-6, 2e-6, 3e-6].map(Math.fround));
    await log.close();
  });
});

const STAMP = 1_700_000_000_500_000_000n;
const LOG_T = 1_700_000_000_600_000_000n;

/** XCDR1 little-endian, alignment relative to the byte after the 4-byte encapsulation header. */
class Cdr {
  readonly b: number[] = [0, 1, 0, 0];
  align(n: number): this {
    while ((this.b.length - 4) % n) this.b.push(0);
    return this;
  }
  u8(v: number): this {
    this.b.push(v & 255);
    return this;
  }
  u32(v: number): this {
    this.align(4);
    const d = new DataView(new ArrayBuffer(4));
    d.setUint32(0, v, true);
    this.b.push(...new Uint8Array(d.buffer));
    return this;
  }
  f32(v: number): this {
    this.align(4);
    const d = new DataView(new ArrayBuffer(4));
    d.setFloat32(0, v, true);
    this.b.push(...new Uint8Array(d.buffer));
    return this;
  }
  str(s: string): this {
    const e = Buffer.from(`${s}\0`);
    this.u32(e.length);
    this.b.push(...e);
    return this;
  }
  bytes(d: ArrayLike<number>): this {
    this.u32(d.length);
    this.b.push(...Array.from(d));
    return this;
  }
  header(stamp: bigint, frame = 'f'): this {
    return this.u32(Number(stamp / 1_000_000_000n)).u32(Number(stamp % 1_000_000_000n)).str(frame);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

async function syntheticBag(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let pos = 0n;
  const writable = {
    write: (b: Uint8Array): Promise<void> => {
      chunks.push(b.slice());
      pos += BigInt(b.length);
      return Promise.resolve();
    },
    position: () => pos,
  };
  const w = new McapWriter({ writable, chunkSize: 1024 });
  await w.start({ profile: 'ros2', library: 'synthetic test bag' });
  const topic = async (name: string, type: string): Promise<number> => {
    const schemaId = await w.registerSchema({ name: type, encoding: 'ros2msg', data: Buffer.from('# definition not needed by the reader\n') });
    return w.registerChannel({ topic: name, schemaId, messageEncoding: 'cdr', metadata: new Map([['offered_qos_profiles', '']]) });
  };
  const rgb = await topic('/cam/rgb', 'sensor_msgs/msg/Image');
  const bgr = await topic('/cam/bgr', 'sensor_msgs/msg/Image');
  const depth = await topic('/depth/image', 'sensor_msgs/msg/Image');
  const jpeg = await topic('/cam/jpeg', 'sensor_msgs/msg/CompressedImage');
  const scan = await topic('/scan', 'sensor_msgs/msg/LaserScan');
  const points = await topic('/points', 'sensor_msgs/msg/PointCloud2');
  const chatter = await topic('/chatter', 'std_msgs/msg/String');
  const add = (channelId: number, k: number, data: Uint8Array): Promise<void> => w.addMessage({ channelId, sequence: 0, logTime: LOG_T + BigInt(k), publishTime: LOG_T + BigInt(k), data });
  for (let k = 0; k < 2; k++) {
    // rgb8 3×2 with a 2-byte row padding (step 11).
    const padded = [...[0, 1, 2, 3, 4, 5, 6, 7, 8], 99, 99, ...[9, 10, 11, 12, 13, 14, 15, 16, 17], 99, 99];
    await add(rgb, k, new Cdr().header(STAMP + BigInt(k)).u32(2).u32(3).str('rgb8').u8(0).u32(11).bytes(padded).done());
    await add(bgr, k, new Cdr().header(STAMP).u32(1).u32(2).str('bgr8').u8(0).u32(6).bytes([0, 1, 2, 3, 4, 5]).done());
    await add(chatter, k, new Cdr().str('hello').done());
  }
  const z16 = new Uint8Array(Uint16Array.of(1000, 0, 65535, 1234).buffer);
  await add(depth, 3, new Cdr().header(STAMP).u32(2).u32(2).str('16UC1').u8(0).u32(4).bytes(z16).done());
  const sof = [0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  await add(jpeg, 4, new Cdr().header(STAMP).str('jpeg').bytes(sof).done());
  const s = new Cdr().header(STAMP).f32(-1.5).f32(1.5).f32(0.5).f32(0).f32(0.1).f32(0.1).f32(12).u32(7);
  for (let i = 1; i <= 7; i++) s.f32(i);
  await add(scan, 5, s.u32(0).done());
  // PointCloud2: x y z float32, intensity float32, ring uint16, t uint32 (ns); point_step 24.
  const pc = new Cdr().header(STAMP).u32(1).u32(4).u32(6);
  for (const [name, offset, type] of [['x', 0, 7], ['y', 4, 7], ['z', 8, 7], ['intensity', 12, 7], ['ring', 16, 4], ['t', 20, 6]] as const) pc.str(name).u32(offset).u8(type).u32(1);
  const data = new DataView(new ArrayBuffer(96));
  for (let i = 0; i < 4; i++) {
    [0, 1, 2].forEach((c) => data.setFloat32(i * 24 + 4 * c, i * 10 + c, true));
    data.setFloat32(i * 24 + 12, 5 + i, true);
    data.setUint16(i * 24 + 16, i, true);
    data.setUint32(i * 24 + 20, i * 1000, true);
  }
  await add(points, 6, pc.u8(0).u32(24).u32(96).bytes(new Uint8Array(data.buffer)).u8(1).done());
  await w.end();
  return Buffer.concat(chunks);
}
