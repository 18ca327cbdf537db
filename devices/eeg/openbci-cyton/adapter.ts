import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext, type TimestampNs,
} from '../../../src/core/index.ts';
import { ArrivalDejitter } from '../../formats/arrival-dejitter.ts';
import { EegChunker, type EegChunkOut } from '../../formats/eeg-chunker.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import type { SerialLink, SerialPorts } from '../../transport/serial/serial-link.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { CMD, channelSettings } from './commands.ts';
import { CytonDecoder, type CytonMessage } from './decoder.ts';
import { gainOf, type CytonOptions } from './options.ts';
import { uvPerCount } from './scale.ts';

const RATE_HZ = 250;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * One Cyton (optionally with Daisy) on a serial port. On every (re)connect: `s` (stop a stream left
 * running), flush, `v` (soft reset; waits for the `$$$` banner), `C` for Daisy, `x…X` per configured
 * gain, extra commands, then `b`. Packets become µV with each channel's gain and are cut into
 * chunks. Time: `t` is the dejittered arrival line (ArrivalDejitter); `deviceT` is the board's
 * sample counter unwrapped, as ns of its nominal sample clock (n × 4 ms; the Cyton has no other clock
 * over the dongle), which the pipeline's clock sync maps; `receivedAt` is the arrival.
 * Losing the port (unplug) stops delivery at once; the supervisor reopens it with backoff.
 */
export class CytonAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: CytonOptions;
  readonly #ctx: DeviceContext;
  readonly #serial: SerialPorts;
  readonly #queue = new AsyncQueue<AnySample>(64);
  readonly #sup: LinkSupervisor<SerialLink>;
  readonly #rateHz: number;
  readonly #scale: Float64Array;
  readonly #chunker: EegChunker;
  readonly #dejitter: ArrivalDejitter;
  #decoder = new CytonDecoder();
  #textWaiters: ((text: string) => void)[] = [];
  #streaming = false;
  #linkDead = false;
  #seq = 0;
  /** Unwrapped sample number of the last packet (monotonic across reconnects). */
  #sampleNo = -1;
  #lastCounter = -1;
  #lastArrival: TimestampNs = 0n;
  #firstAfterConnect = true;
  #daisyHalf: { n: number; uv: Float64Array } | undefined;
  #stats: AdapterStats = { samples: 0, dropped: 0, badBytes: 0, reconnects: 0 };
  #closedDecoders = { dropped: 0, badBytes: 0 };
  /** Firmware banner of the last reset (e.g. "Firmware: v3.1.1"). */
  banner = '';

  constructor(o: CytonOptions, ctx: DeviceContext, serial: SerialPorts) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#serial = serial;
    this.#rateHz = o.channels === 16 ? RATE_HZ / 2 : RATE_HZ;
    this.#scale = Float64Array.from({ length: o.channels }, (_, c) => uvPerCount(gainOf(o, c)));
    const channelNames = Array.from({ length: o.channels }, (_, c) => `EXG ${c + 1}`);
    this.#chunker = new EegChunker({ channels: o.channels, samplesPerChunk: o.samplesPerChunk, rateHz: this.#rateHz, channelNames });
    this.#dejitter = new ArrivalDejitter({ rateHz: this.#rateHz });
    this.#sup = new LinkSupervisor({ ctx, what: `OpenBCI Cyton on ${o.path}`, connect: () => this.#connect(), release: (l) => this.#release(l) });
  }

  /** Opens the port and starts streaming; if the board is absent it keeps retrying in the background. */
  start(): Promise<void> {
    return this.#sup.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    const d = this.#decoder.stats();
    return {
      samples: this.#stats.samples,
      dropped: this.#closedDecoders.dropped + d.dropped + this.#queue.dropped,
      badBytes: this.#closedDecoders.badBytes + d.badBytes,
      reconnects: this.#sup.reconnects,
    };
  }

  async close(): Promise<void> {
    await this.#sup.stop();
    const rest = this.#chunker.flush();
    if (rest) this.#emit(rest);
    this.#queue.close();
  }

  async #connect(): Promise<SerialLink> {
    const old = this.#decoder.stats();
    this.#closedDecoders.dropped += old.dropped;
    this.#closedDecoders.badBytes += old.badBytes;
    this.#decoder = new CytonDecoder();
    this.#streaming = false;
    this.#linkDead = false;
    const link = await this.#serial.open({
      path: this.#o.path,
      baudRate: this.#o.baudRate,
      onData: (b) => this.#onBytes(b),
      onClose: (reason) => {
        this.#linkDead = true;
        this.#streaming = false;
        // Deliver the samples already received now, not when the board is back.
        const rest = this.#chunker.flush();
        if (rest) this.#emit(rest);
        if (reason !== undefined) this.#sup.lost(reason);
      },
    });
    try {
      await link.write(enc(CMD.stop));
      await link.flush();
      if (this.#o.reset) {
        const banner = await this.#command(link, CMD.softReset, 2000);
        if (banner === undefined) this.#ctx.log.warn('Cyton: no reply to "v" within 2 s (board off or radio out of range?); starting anyway');
        else this.banner = banner.trim();
      }
      if (this.#o.channels === 16) {
        const reply = await this.#command(link, CMD.daisyOn, 1000);
        if (reply !== undefined && /no daisy/i.test(reply)) throw new DeviceError(`Cyton on ${this.#o.path}: 16 channels configured but the board says "${reply.trim()}"`, { code: 'E_CYTON_DAISY' });
      }
      for (let c = 0; c < this.#o.gains.length; c++) await this.#command(link, channelSettings(c + 1, gainOf(this.#o, c)), 1000);
      for (const cmd of this.#o.commands) await link.write(enc(cmd));
      if (this.#linkDead) throw new DeviceError(`Cyton on ${this.#o.path}: port closed during the handshake`);
      this.#firstAfterConnect = true;
      this.#dejitter.reset();
      this.#streaming = true;
      await link.write(enc(CMD.start));
      return link;
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    }
  }

  async #release(link: SerialLink): Promise<void> {
    this.#streaming = false;
    if (!this.#linkDead) await link.write(enc(CMD.stop)).catch(() => undefined);
    await link.close();
  }

  /** Sends a command and waits for its `$$$` reply (undefined on timeout). */
  #command(link: SerialLink, cmd: string, timeoutMs: number): Promise<string | undefined> {
    const reply = waitFor<string>(this.#ctx.clock, timeoutMs, (deliver) => {
      this.#textWaiters.push(deliver);
      return () => (this.#textWaiters = this.#textWaiters.filter((w) => w !== deliver));
    });
    return link.write(enc(cmd)).then(() => reply);
  }

  #onBytes(bytes: Uint8Array): void {
    const dec = this.#decoder;
    dec.push(bytes, this.#ctx.clock.now());
    for (let m = dec.next(); m; m = dec.next()) this.#onMessage(m);
  }

  #onMessage(m: CytonMessage): void {
    if (m.type === 'text') {
      const w = this.#textWaiters.shift();
      if (w) w(m.text);
      else this.#ctx.log.debug({ text: m.text }, 'Cyton: unsolicited text');
      return;
    }
    if (!this.#streaming) return;
    // Unwrap the 8-bit counter; after a reconnect the board restarts it, so continue the numbering
    // from the time that passed (a gap in firstSampleIndex, not a fake run of contiguous samples).
    if (this.#firstAfterConnect) {
      this.#firstAfterConnect = false;
      const periodNs = 1e9 / RATE_HZ;
      this.#sampleNo = this.#sampleNo < 0 ? m.sampleNumber : this.#sampleNo + Math.max(1, Math.round(Number(m.receivedAt - this.#lastArrival) / periodNs));
    } else {
      const d = (m.sampleNumber - this.#lastCounter + 256) % 256;
      this.#sampleNo += d === 0 ? 256 : d;
    }
    this.#lastCounter = m.sampleNumber;
    this.#lastArrival = m.receivedAt;
    const uv = new Float64Array(this.#o.channels);
    if (this.#o.channels === 8) {
      for (let c = 0; c < 8; c++) uv[c] = m.counts[c]! * this.#scale[c]!;
      const t = this.#dejitter.observe(this.#sampleNo, m.receivedAt);
      for (const chunk of this.#chunker.push(this.#sampleNo, uv, t, m.receivedAt)) this.#emit(chunk);
      return;
    }
    // Daisy (Cyton Data Format §"16 channels"): odd sample numbers carry channels 1–8, the next
    // even one channels 9–16; a pair makes one 125 Hz sample.
    if (m.sampleNumber % 2 === 1) {
      const half = new Float64Array(8);
      for (let c = 0; c < 8; c++) half[c] = m.counts[c]! * this.#scale[c]!;
      this.#daisyHalf = { n: this.#sampleNo, uv: half };
      return;
    }
    const half = this.#daisyHalf;
    this.#daisyHalf = undefined;
    if (!half || half.n !== this.#sampleNo - 1) return; // unpaired half: lost with its partner
    uv.set(half.uv);
    for (let c = 0; c < 8; c++) uv[8 + c] = m.counts[c]! * this.#scale[8 + c]!;
    const n = Math.floor(half.n / 2);
    const t = this.#dejitter.observe(n, m.receivedAt);
    for (const chunk of this.#chunker.push(n, uv, t, m.receivedAt)) this.#emit(chunk);
  }

  #emit(c: EegChunkOut): void {
    this.#stats.samples++;
    // Times from the dejitter line as it stands now (its minimum only improves as bursts arrive), so
    // the samples of one chunk are evenly spaced.
    const first = c.payload.firstSampleIndex;
    const n = c.payload.data.length / c.payload.channels;
    this.#queue.push({
      kind: 'eeg',
      sourceId: this.sourceId,
      seq: this.#seq++,
      t: this.#dejitter.timeOf(first),
      tEnd: this.#dejitter.timeOf(first + n - 1),
      // The board's only clock is its sample counter: device time = sample number × nominal period.
      deviceT: BigInt(Math.round((first * 1e9) / this.#rateHz)),
      receivedAt: c.receivedAt,
      payload: c.payload,
    });
  }
}
