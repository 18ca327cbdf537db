import { readFile } from 'node:fs/promises';
import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext,
} from '../../../src/core/index.ts';
import { ArrivalDejitter } from '../../formats/arrival-dejitter.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import { SilenceWatchdog } from '../../transport/silence-watchdog.ts';
import { bindUdp, type UdpBinding } from '../../transport/udp/udp-socket.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { OusterDecoder, type OusterFrame } from './decoder.ts';
import { parseOusterMetadata, type OusterMetadata } from './metadata.ts';
import type { OusterOptions } from './options.ts';
import { parseImuPacket, type OusterImu } from './packet.ts';

interface Link {
  lidar: UdpBinding;
  imu: UdpBinding | undefined;
}

/**
 * An Ouster OS0/1/2 on UDP (lidar 7502, IMU 7503), decoded with its metadata JSON. Like the
 * Velodyne adapter: "connected" means packets are flowing; silence loses the link and the sockets
 * are rebound with backoff. Time: `deviceT` is the first column's timestamp (sensor clock: internal
 * or PTP, ns); `t` maps it onto the host timeline through the lowest observed arrival delay.
 * IMU packets are parsed and kept as the latest reading (no IMU sample kind yet).
 */
export class OusterAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: OusterOptions;
  readonly #ctx: DeviceContext;
  readonly #queue = new AsyncQueue<AnySample>(4);
  readonly #sup: LinkSupervisor<Link>;
  readonly #watchdog: SilenceWatchdog;
  readonly #clockMap = new ArrivalDejitter({ rateHz: 1e6, windowSamples: 10_000_000 });
  #meta: OusterMetadata | undefined;
  #decoder: OusterDecoder | undefined;
  #first: ((v: true) => void) | undefined;
  #seq = 0;
  #stats = { samples: 0, badBytes: 0, badPackets: 0, imuPackets: 0 };
  lastImu: OusterImu | undefined;
  boundPort = 0;

  constructor(o: OusterOptions, ctx: DeviceContext) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#watchdog = new SilenceWatchdog(ctx.clock, o.silenceMs, (ms) => this.#sup.lost(`no Ouster lidar packets for ${Math.round(ms)} ms`));
    this.#sup = new LinkSupervisor<Link>({ ctx, what: `Ouster on UDP ${o.port}`, connect: () => this.#connect(), release: (l) => this.#release(l) });
  }

  async start(): Promise<void> {
    try {
      this.#meta = parseOusterMetadata(await readFile(this.#o.metadata, 'utf8'));
    } catch (err) {
      throw new DeviceError(`lidar/ouster: cannot use metadata ${this.#o.metadata}`, { cause: err });
    }
    void this.#sup.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats & { badPackets: number; imuPackets: number } {
    const d = this.#decoder?.stats();
    return { samples: this.#stats.samples, dropped: this.#queue.dropped, badBytes: this.#stats.badBytes + (d?.badBytes ?? 0), reconnects: this.#sup.reconnects, badPackets: this.#stats.badPackets + (d?.badPackets ?? 0), imuPackets: this.#stats.imuPackets };
  }

  async close(): Promise<void> {
    this.#watchdog.stop();
    await this.#sup.stop();
    this.#queue.close();
  }

  async #connect(): Promise<Link> {
    const meta = this.#meta as OusterMetadata;
    const d = this.#decoder?.stats();
    if (d) {
      this.#stats.badBytes += d.badBytes;
      this.#stats.badPackets += d.badPackets;
    }
    this.#decoder = new OusterDecoder(meta);
    const onError = (err: Error): void => this.#sup.lost(`UDP socket error: ${err.message}`);
    const lidar = await bindUdp({ port: this.boundPort || this.#o.port, host: this.#o.host, onMessage: (p) => this.#onLidar(p), onError });
    this.boundPort = lidar.port;
    let imu: UdpBinding | undefined;
    if (this.#o.imuPort !== 0) {
      imu = await bindUdp({ port: this.#o.imuPort, host: this.#o.host, onMessage: (p) => this.#onImu(p), onError }).catch((err: unknown) => {
        this.#ctx.log.warn({ err: String(err) }, `Ouster: cannot bind IMU port ${this.#o.imuPort}; continuing without IMU`);
        return undefined;
      });
    }
    const first = await waitFor<true>(this.#ctx.clock, Math.max(2000, 4 * this.#o.silenceMs), (deliver) => {
      this.#first = deliver;
      return () => (this.#first = undefined);
    });
    if (!first) {
      await lidar.close();
      await imu?.close();
      throw new DeviceError(`no Ouster lidar packets on UDP ${lidar.port} (check the sensor's udp_dest and udp_port_lidar)`, { code: 'E_OUSTER_SILENT' });
    }
    this.#watchdog.start();
    return { lidar, imu };
  }

  async #release(l: Link): Promise<void> {
    this.#watchdog.stop();
    await l.lidar.close();
    await l.imu?.close();
  }

  #onLidar(p: Uint8Array): void {
    const now = this.#ctx.clock.now();
    this.#watchdog.kick(now);
    this.#first?.(true);
    const dec = this.#decoder as OusterDecoder;
    dec.push(p, now);
    for (let f = dec.next(); f; f = dec.next()) this.#onFrame(f);
  }

  #onImu(p: Uint8Array): void {
    const imu = parseImuPacket(p);
    if (!imu) return;
    this.#stats.imuPackets++;
    this.lastImu = imu;
  }

  #onFrame(f: OusterFrame): void {
    const firstUs = Number(f.firstColumnNs) / 1000;
    const lastUs = Number(f.lastColumnNs) / 1000;
    this.#clockMap.observe(lastUs, f.lastReceivedAt);
    // A frame the decoder closed early (lost packets, stream start) has fewer columns: still real data.
    this.#stats.samples++;
    this.#queue.push({ kind: 'cloud', sourceId: this.sourceId, seq: this.#seq++, t: this.#clockMap.timeOf(firstUs), tEnd: this.#clockMap.timeOf(lastUs), deviceT: f.firstColumnNs, receivedAt: f.lastReceivedAt, payload: f.cloud });
  }
}
