import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext, type TimestampNs,
} from '../../../src/core/index.ts';
import { ArrivalDejitter } from '../../formats/arrival-dejitter.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import { SilenceWatchdog } from '../../transport/silence-watchdog.ts';
import { bindUdp, type UdpBinding } from '../../transport/udp/udp-socket.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { VELODYNE_CALIBRATIONS } from './calibration.ts';
import { VelodyneDecoder, type VelodyneSweep } from './decoder.ts';
import type { VelodyneOptions } from './options.ts';
import { parsePositionPacket, type VelodynePosition } from './packet.ts';
import { horizontalRing, ringToScan } from './ring-scan.ts';

interface Link {
  data: UdpBinding;
  position: UdpBinding | undefined;
}

export interface VelodyneStats extends AdapterStats {
  packets: number;
  badPackets: number;
  positionPackets: number;
  /** PPS status of the last position packet (0 none, 1 synchronizing, 2 locked, 3 error), -1 before any. */
  ppsStatus: number;
}

/**
 * A Velodyne on UDP. "Connected" means data packets are flowing: connect binds the sockets and
 * waits for the first packet; a silence watchdog declares the link lost, and the supervisor
 * rebinds with backoff. Time: each sweep's `deviceT` is its first firing on the sensor clock
 * (µs past the hour, unwrapped, as ns); `t` maps it to the host timeline through the lowest
 * observed (arrival − device time) — the transport delay's floor — so firing-accurate spacing is
 * kept and arrival jitter is not; `receivedAt` is the arrival of the sweep's last packet.
 */
export class VelodyneAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: VelodyneOptions;
  readonly #ctx: DeviceContext;
  readonly #queue = new AsyncQueue<AnySample>(8);
  readonly #sup: LinkSupervisor<Link>;
  readonly #watchdog: SilenceWatchdog;
  #decoder: VelodyneDecoder;
  /** Device µs → host ns (rate 1 MHz: "sample" n is the device µs count). */
  readonly #clockMap = new ArrivalDejitter({ rateHz: 1e6, windowSamples: 10_000_000 });
  #firstPacket: ((v: true) => void) | undefined;
  #seq = 0;
  #stats = { samples: 0, dropped: 0, packets: 0, badPackets: 0, badBytes: 0, positionPackets: 0 };
  #lastPosition: VelodynePosition | undefined;
  boundPort = 0;

  constructor(o: VelodyneOptions, ctx: DeviceContext) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#decoder = this.#newDecoder();
    this.#watchdog = new SilenceWatchdog(ctx.clock, o.silenceMs, (ms) => this.#sup.lost(`no data packets on UDP ${this.boundPort} for ${Math.round(ms)} ms`));
    this.#sup = new LinkSupervisor<Link>({ ctx, what: `Velodyne on UDP ${o.port}`, connect: () => this.#connect(), release: (l) => this.#release(l) });
  }

  start(): Promise<void> {
    return this.#sup.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): VelodyneStats {
    const d = this.#decoder.stats();
    return {
      samples: this.#stats.samples,
      dropped: this.#stats.dropped + d.lostPackets + this.#queue.dropped,
      badBytes: this.#stats.badBytes + d.badBytes,
      reconnects: this.#sup.reconnects,
      packets: this.#stats.packets + d.packets,
      badPackets: this.#stats.badPackets + d.badPackets,
      positionPackets: this.#stats.positionPackets,
      ppsStatus: this.#lastPosition?.ppsStatus ?? -1,
    };
  }

  async close(): Promise<void> {
    this.#watchdog.stop();
    await this.#sup.stop();
    this.#queue.close();
  }

  #newDecoder(): VelodyneDecoder {
    return new VelodyneDecoder({ model: this.#o.model, azimuth: this.#o.azimuth, ...(this.#o.minRangeM !== undefined ? { minRangeM: this.#o.minRangeM } : {}), ...(this.#o.maxRangeM !== undefined ? { maxRangeM: this.#o.maxRangeM } : {}) });
  }

  async #connect(): Promise<Link> {
    // A fresh decoder per link: the sweep in progress when the stream stopped is incomplete.
    const d = this.#decoder.stats();
    this.#stats.badBytes += d.badBytes;
    this.#stats.packets += d.packets;
    this.#stats.badPackets += d.badPackets;
    this.#stats.dropped += d.lostPackets;
    this.#decoder = this.#newDecoder();
    const onError = (err: Error): void => this.#sup.lost(`UDP socket error: ${err.message}`);
    const data = await bindUdp({ port: this.boundPort || this.#o.port, host: this.#o.host, onMessage: (p) => this.#onData(p), onError });
    this.boundPort = data.port;
    let position: UdpBinding | undefined;
    try {
      if (this.#o.positionPort !== 0) position = await bindUdp({ port: this.#o.positionPort, host: this.#o.host, onMessage: (p) => this.#onPosition(p), onError });
    } catch (err) {
      // The position stream is optional (only GPS time); a busy port must not stop the point cloud.
      this.#ctx.log.warn({ err: String(err) }, `Velodyne: cannot bind position port ${this.#o.positionPort}; continuing without it`);
    }
    const first = await waitFor<true>(this.#ctx.clock, Math.max(2000, 4 * this.#o.silenceMs), (deliver) => {
      this.#firstPacket = deliver;
      return () => (this.#firstPacket = undefined);
    });
    if (!first) {
      await data.close();
      await position?.close();
      throw new DeviceError(`no Velodyne data packets on UDP ${data.port} (is the sensor's destination IP this host, and the port ${data.port}?)`, { code: 'E_VELODYNE_SILENT' });
    }
    this.#watchdog.start();
    return { data, position };
  }

  async #release(l: Link): Promise<void> {
    this.#watchdog.stop();
    await l.data.close();
    await l.position?.close();
  }

  #onData(p: Uint8Array): void {
    const now = this.#ctx.clock.now();
    this.#watchdog.kick(now);
    this.#firstPacket?.(true);
    this.#decoder.push(p, now);
    for (let s = this.#decoder.next(); s; s = this.#decoder.next()) this.#onSweep(s);
  }

  #onPosition(p: Uint8Array): void {
    const pos = parsePositionPacket(p);
    if (!pos) return;
    if (pos.ppsStatus !== this.#lastPosition?.ppsStatus) this.#ctx.log.info({ ppsStatus: pos.ppsStatus, nmea: pos.nmea }, 'Velodyne: PPS status');
    this.#lastPosition = pos;
    this.#stats.positionPackets++;
  }

  #onSweep(s: VelodyneSweep): void {
    // Map device time through the (arrival − end of last firing) floor.
    this.#clockMap.observe(s.deviceEndUs, s.lastReceivedAt);
    // Partial sweeps (stream start, after a reconnect) would look like occlusions to a model.
    if (!s.complete) return;
    const t: TimestampNs = this.#clockMap.timeOf(s.deviceTimeUs);
    const tEnd: TimestampNs = this.#clockMap.timeOf(s.deviceEndUs);
    const head = { sourceId: this.sourceId, seq: this.#seq++, t, tEnd, deviceT: BigInt(Math.round(s.deviceTimeUs)) * 1000n, receivedAt: s.lastReceivedAt };
    this.#stats.samples++;
    if (this.#o.output === 'cloud') {
      this.#queue.push({ ...head, kind: 'cloud', payload: s.cloud });
      return;
    }
    const cal = VELODYNE_CALIBRATIONS[s.model];
    const ring = this.#o.scanRing ?? horizontalRing(cal);
    const scan = ringToScan(s.cloud, ring, { bins: this.#o.scanBins, rangeMinM: this.#o.minRangeM ?? cal.minRangeM, rangeMaxM: this.#o.maxRangeM ?? cal.maxRangeM });
    this.#queue.push({ ...head, kind: 'scan', payload: scan });
  }
}
