import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext,
} from '../../../src/core/index.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import type { SerialLink, SerialPorts } from '../../transport/serial/serial-link.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { RplidarDecoder } from './decoder.ts';
import type { RplidarHealth, RplidarInfo, RplidarMessage } from './messages.ts';
import type { RplidarOptions } from './options.ts';
import { CMD, EXPRESS_SCAN_LEGACY, encodeRequest, motorPwmRequest } from './protocol.ts';
import { ScanAssembler, type AssembledScan } from './scan-assembler.ts';

type Reply = RplidarInfo | RplidarHealth;

/**
 * An RPLIDAR on a serial port. Connect (SDK `sl_lidar_driver.cpp` order): STOP, settle, flush,
 * GET_HEALTH (status 2 = error: RESET and fail this attempt, so the supervisor retries), GET_INFO,
 * spin the motor (DTR low on A1 — the SDK's `setDTR(false)` — or SET_MOTOR_PWM), then SCAN or
 * EXPRESS_SCAN. Nodes become one LaserScan per revolution. The device has no clock: `t` and
 * `tEnd` are the arrivals of the revolution's first and last node, `deviceT` is absent.
 */
export class RplidarAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: RplidarOptions;
  readonly #ctx: DeviceContext;
  readonly #serial: SerialPorts;
  readonly #queue = new AsyncQueue<AnySample>(16);
  readonly #sup: LinkSupervisor<SerialLink>;
  #decoder = new RplidarDecoder();
  #assembler: ScanAssembler;
  #waiters: ((m: Reply) => void)[] = [];
  #scanning = false;
  #linkDead = false;
  #seq = 0;
  #samples = 0;
  #closedBad = 0;
  info: RplidarInfo | undefined;

  constructor(o: RplidarOptions, ctx: DeviceContext, serial: SerialPorts) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#serial = serial;
    this.#assembler = this.#newAssembler();
    this.#sup = new LinkSupervisor({ ctx, what: `RPLIDAR on ${o.path}`, connect: () => this.#connect(), release: (l) => this.#release(l) });
  }

  start(): Promise<void> {
    return this.#sup.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats & { badRecords: number } {
    const d = this.#decoder.stats();
    return { samples: this.#samples, dropped: this.#queue.dropped, badBytes: this.#closedBad + d.badBytes, reconnects: this.#sup.reconnects, badRecords: d.badRecords };
  }

  async close(): Promise<void> {
    await this.#sup.stop();
    this.#queue.close();
  }

  #newAssembler(): ScanAssembler {
    return new ScanAssembler({ bins: this.#o.bins, rangeMinM: this.#o.rangeMinM, rangeMaxM: this.#o.rangeMaxM, minQuality: this.#o.minQuality });
  }

  async #connect(): Promise<SerialLink> {
    this.#closedBad += this.#decoder.stats().badBytes;
    this.#decoder = new RplidarDecoder();
    this.#assembler = this.#newAssembler();
    this.#scanning = false;
    this.#linkDead = false;
    const link = await this.#serial.open({
      path: this.#o.path,
      baudRate: this.#o.baudRate,
      onData: (b) => this.#onBytes(b),
      onClose: (reason) => {
        this.#linkDead = true;
        this.#scanning = false;
        if (reason !== undefined) this.#sup.lost(reason);
      },
    });
    try {
      await link.write(encodeRequest(CMD.STOP));
      // The SDK waits ≥ 1 ms after STOP before the next request; flush what was still streaming.
      await waitFor(this.#ctx.clock, 20, () => () => undefined);
      await link.flush();
      this.#decoder.reset();
      const health = await this.#request(link, CMD.GET_HEALTH, 'health');
      if (!health) throw new DeviceError(`RPLIDAR on ${this.#o.path}: no answer to GET_HEALTH (wrong port or baud rate ${this.#o.baudRate}?)`, { code: 'E_RPLIDAR_SILENT' });
      if (health.type === 'health' && health.status === 2) {
        await link.write(encodeRequest(CMD.RESET));
        throw new DeviceError(`RPLIDAR reports an error (code 0x${health.errorCode.toString(16)}); reset sent`, { code: 'E_RPLIDAR_HEALTH' });
      }
      const info = await this.#request(link, CMD.GET_INFO, 'info');
      if (info?.type === 'info') {
        this.info = info;
        this.#ctx.log.info({ model: info.model, firmware: info.firmware, hardware: info.hardware, serial: info.serial }, 'RPLIDAR');
      }
      if (this.#o.motor === 'dtr') await link.set({ dtr: false });
      else if (this.#o.motor === 'pwm') await link.write(motorPwmRequest(this.#o.pwm));
      if (this.#linkDead) throw new DeviceError(`RPLIDAR on ${this.#o.path}: port closed during the handshake`);
      this.#scanning = true;
      await link.write(this.#o.mode === 'express' ? EXPRESS_SCAN_LEGACY : encodeRequest(CMD.SCAN));
      return link;
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    }
  }

  async #release(link: SerialLink): Promise<void> {
    this.#scanning = false;
    if (!this.#linkDead) {
      await link.write(encodeRequest(CMD.STOP)).catch(() => undefined);
      if (this.#o.motor === 'dtr') await link.set({ dtr: true }).catch(() => undefined);
      else if (this.#o.motor === 'pwm') await link.write(motorPwmRequest(0)).catch(() => undefined);
    }
    await link.close();
  }

  #request(link: SerialLink, cmd: number, type: Reply['type']): Promise<Reply | undefined> {
    const reply = waitFor<Reply>(this.#ctx.clock, 1000, (deliver) => {
      const w = (m: Reply): void => (m.type === type ? deliver(m) : undefined);
      this.#waiters.push(w);
      return () => (this.#waiters = this.#waiters.filter((x) => x !== w));
    });
    return link.write(encodeRequest(cmd)).then(() => reply);
  }

  #onBytes(bytes: Uint8Array): void {
    const d = this.#decoder;
    d.push(bytes, this.#ctx.clock.now());
    for (let m = d.next(); m; m = d.next()) this.#onMessage(m);
  }

  #onMessage(m: RplidarMessage): void {
    if (m.type === 'info' || m.type === 'health') {
      for (const w of [...this.#waiters]) w(m);
      return;
    }
    if (m.type !== 'node' || !this.#scanning) return;
    const done = this.#assembler.add(m);
    if (done) this.#emit(done);
  }

  #emit(s: AssembledScan): void {
    this.#samples++;
    this.#queue.push({ kind: 'scan', sourceId: this.sourceId, seq: this.#seq++, t: s.firstReceivedAt, tEnd: s.lastReceivedAt, receivedAt: s.lastReceivedAt, payload: s.scan });
  }
}
