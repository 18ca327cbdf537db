import type { DeviceAdapter, DeviceEvent } from '../core/device.ts';
import { describeError } from '../core/errors.ts';
import type { BufferPool } from '../core/buffer-pool.ts';
import type { Logger } from '../core/logger.ts';
import type { AnySample } from '../core/sample.ts';
import { NS_PER_S, nsToMs, type Clock, type TimestampNs } from '../core/time.ts';
import { ClockSync } from '../align/clock-sync/clock-sync.ts';
import type { WiredSource } from '../config/wiring.ts';
import type { Metrics } from './metrics.ts';

export interface SourceHealth {
  state: 'ok' | 'missing';
  /** Device clock domain (sources with `clock: device`): the current estimate. */
  clock?: { offsetMs: number; driftPpm: number; uncertaintyMs: number; converged: boolean; discontinuities: number };
  samples: number;
  rateHz: number;
  lastAgeMs: number | null;
  dropped: number;
  badBytes: number;
  reconnects: number;
}

/**
 * Runs one source: opens its driver, pumps samples to listeners (pipelines' synchronizers, which
 * own the time-indexed buffers; recorder taps), and keeps what health and metrics need. A source that errors is
 * logged and reported missing; it never takes the pipeline down.
 */
export class SourceRunner {
  readonly id: string;
  readonly #wired: WiredSource;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #listeners: ((s: AnySample) => void)[] = [];
  #adapter: DeviceAdapter | undefined;
  #pump: Promise<void> | undefined;
  #samples = 0;
  #last: TimestampNs | undefined;
  #rateWindow: TimestampNs[] = [];
  #reportedLost = 0;
  #reportedBad = 0;
  readonly #sync: ClockSync | undefined;

  readonly #pool: BufferPool | undefined;

  constructor(wired: WiredSource, clock: Clock, log: Logger, metrics?: Metrics, pool?: BufferPool) {
    this.#pool = pool;
    this.id = wired.id;
    this.#wired = wired;
    this.#clock = clock;
    this.#log = log.child({ source: wired.id });
    this.#metrics = metrics;
    const d = wired.description;
    if (d.clock === 'device') this.#sync = new ClockSync({ latencyNs: Number(d.latencyNs ?? 0n) });
  }

  onSample(fn: (s: AnySample) => void): void {
    this.#listeners.push(fn);
  }

  async start(): Promise<void> {
    const ctx = {
      sourceId: this.id,
      clock: this.#clock,
      log: this.#log,
      onEvent: (e: DeviceEvent) => this.#onEvent(e),
      ...(this.#pool ? { pool: this.#pool } : {}),
    };
    this.#adapter = await this.#wired.driver.open(this.#wired.options, ctx);
    this.#metrics?.sourceUp.set({ source: this.id }, 0);
    this.#pump = this.#run(this.#adapter);
  }

  async #run(adapter: DeviceAdapter): Promise<void> {
    try {
      for await (const s of adapter.samples()) {
        this.#samples++;
        this.#last = s.receivedAt;
        this.#rateWindow.push(s.receivedAt);
        if (this.#rateWindow.length > 64) this.#rateWindow.shift();
        this.#metrics?.sourceSamples.inc({ source: this.id });
        if (this.#sync && s.deviceT !== undefined) this.#restamp(s);
        for (const fn of this.#listeners) fn(s);
      }
    } catch (err) {
      this.#log.error({ err: describeError(err) }, 'source failed; it will show as missing');
    }
  }

  /**
   * Time of validity from the device's clock, dejittered: the sample's own stamps are kept
   * (`deviceT`, `receivedAt`); `t` (and `tEnd`, shifted alike) move to the mapped device time.
   */
  #restamp(s: AnySample): void {
    const sync = this.#sync as ClockSync;
    const obs = sync.observe(s.deviceT as bigint, s.receivedAt);
    if (obs.event) this.#log.warn({ kind: obs.event.kind, stepMs: Math.round(obs.event.stepNs / 1e4) / 100 }, 'device clock discontinuity; re-converging');
    const shift = obs.t - s.t;
    s.t = obs.t;
    if (s.tEnd !== undefined) s.tEnd += shift;
  }

  #onEvent(e: DeviceEvent): void {
    if (e.type === 'error') this.#log.warn({ err: describeError(e.error) }, 'device error');
    else if (e.type === 'disconnected') this.#log.warn({ reason: e.reason }, 'device disconnected');
    else if (e.type === 'connected') this.#log.info('device connected');
  }

  /** Health at `now`: a source is `missing` when silent for 3 nominal periods (at least 500 ms). */
  health(now: TimestampNs = this.#clock.now()): SourceHealth {
    const stats = this.#adapter?.stats() ?? { samples: 0, dropped: 0, badBytes: 0, reconnects: 0 };
    const nominal = this.#wired.description.nominalHz;
    const deadlineNs = BigInt(Math.max(500e6, Math.round((3 * 1e9) / nominal)));
    const age = this.#last === undefined ? undefined : now - this.#last;
    const state = age !== undefined && age <= deadlineNs ? 'ok' : 'missing';
    const w = this.#rateWindow;
    const first = w[0];
    const last = w[w.length - 1];
    const rateHz = w.length >= 2 && first !== undefined && last !== undefined && last > first ? ((w.length - 1) * Number(NS_PER_S)) / Number(last - first) : 0;
    // Export device-side losses as counters (deltas since the last health read).
    if (this.#metrics) {
      this.#metrics.sourceUp.set({ source: this.id }, state === 'ok' ? 1 : 0);
      if (stats.dropped > this.#reportedLost) this.#metrics.sourceDropped.inc({ source: this.id, reason: 'lost' }, stats.dropped - this.#reportedLost);
      if (stats.badBytes > this.#reportedBad) this.#metrics.sourceDropped.inc({ source: this.id, reason: 'bad_bytes' }, stats.badBytes - this.#reportedBad);
      this.#reportedLost = stats.dropped;
      this.#reportedBad = stats.badBytes;
    }
    const est = this.#sync && this.#samples > 0 ? this.#sync.estimate() : undefined;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    return {
      state,
      ...(est
        ? {
            clock: {
              offsetMs: r2(Number(est.offsetNs) / 1e6),
              driftPpm: r2(est.driftPpm),
              uncertaintyMs: r2(est.uncertaintyNs / 1e6),
              converged: est.converged,
              discontinuities: (this.#sync as ClockSync).events.length,
            },
          }
        : {}),
      samples: this.#samples,
      rateHz: Math.round(rateHz * 100) / 100,
      lastAgeMs: age === undefined ? null : Math.round(nsToMs(age) * 10) / 10,
      dropped: stats.dropped,
      badBytes: stats.badBytes,
      reconnects: stats.reconnects,
    };
  }

  /** Samples lost by the device/transport so far (for lineage deltas). */
  lost(): number {
    return this.#adapter?.stats().dropped ?? 0;
  }

  async stop(): Promise<void> {
    await this.#adapter?.close();
    await this.#pump;
  }
}
