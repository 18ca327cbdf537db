import type { DeviceContext } from '../../src/core/device.ts';
import { describeError } from '../../src/core/errors.ts';
import type { Timer } from '../../src/core/time.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { waitFor } from './wait-for.ts';

export interface SupervisorOptions<L> {
  ctx: DeviceContext;
  /** Opens the link and readies the device (handshake, start streaming). Throws on failure. */
  connect(): Promise<L>;
  /** Releases a link (best effort; errors are ignored). */
  release(link: L): Promise<void>;
  /** What is being supervised, for logs ("serial /dev/ttyUSB0"). */
  what: string;
  backoff?: BackoffOptions;
  /** An attempt that has not finished after this long counts as failed (its link, if it ever comes, is released). Default 20 s. */
  connectTimeoutMs?: number;
}

/**
 * Keeps one device link up: connects, and when the link is lost (unplug, process exit, silence)
 * reports `disconnected`, then retries on `ctx.clock` with {@link Backoff} until it is back and
 * reports `connected`. Transport-agnostic: serial ports, UDP sockets and child processes use it.
 * Never throws out of its callbacks; a failing connect is logged and retried.
 */
export class LinkSupervisor<L> {
  readonly #o: SupervisorOptions<L>;
  readonly #backoff: Backoff;
  #link: L | undefined;
  #timer: Timer | undefined;
  #connecting = false;
  #stopped = false;
  #everUp = false;
  #down = false;
  reconnects = 0;

  constructor(o: SupervisorOptions<L>) {
    this.#o = o;
    this.#backoff = new Backoff(o.backoff);
  }

  get link(): L | undefined {
    return this.#link;
  }

  get up(): boolean {
    return this.#link !== undefined;
  }

  /** First attempt now; resolves after it, successful or not (retries continue in the background). */
  start(): Promise<void> {
    return this.#attempt();
  }

  /** The current link is gone. Safe to call more than once, or after stop(). */
  lost(reason: string): void {
    if (this.#stopped || this.#link === undefined) return;
    const link = this.#link;
    this.#link = undefined;
    this.#markDown(reason);
    void this.#o.release(link).catch(() => undefined);
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    const link = this.#link;
    this.#link = undefined;
    if (link !== undefined) await this.#o.release(link).catch(() => undefined);
  }

  #markDown(reason: string): void {
    if (this.#down) return;
    this.#down = true;
    const { ctx } = this.#o;
    ctx.log.warn({ reason }, `${this.#o.what}: link lost; reconnecting`);
    ctx.onEvent?.({ type: 'disconnected', at: ctx.clock.now(), reason });
  }

  async #attempt(): Promise<void> {
    if (this.#stopped || this.#connecting || this.#link !== undefined) return;
    this.#connecting = true;
    const { ctx } = this.#o;
    try {
      // A connect that hangs (a device that half-answers) must not stop the retries.
      const pending = this.#o.connect();
      const outcome = await waitFor<{ link: L } | { err: unknown }>(ctx.clock, this.#o.connectTimeoutMs ?? 20_000, (deliver) => {
        pending.then((link) => deliver({ link }), (err: unknown) => deliver({ err }));
        return () => undefined;
      });
      if (outcome === undefined) {
        void pending.then((l) => this.#o.release(l), () => undefined).catch(() => undefined);
        throw new Error(`connecting took longer than ${this.#o.connectTimeoutMs ?? 20_000} ms`);
      }
      if ('err' in outcome) throw outcome.err;
      const link = outcome.link;
      if (this.#stopped) {
        await this.#o.release(link).catch(() => undefined);
        return;
      }
      this.#link = link;
      if (this.#everUp) this.reconnects++;
      this.#everUp = true;
      this.#down = false;
      this.#backoff.reset();
      ctx.onEvent?.({ type: 'connected', at: ctx.clock.now() });
    } catch (err) {
      if (this.#stopped) return;
      if (this.#backoff.attempts === 0) ctx.log.warn({ err: describeError(err) }, `${this.#o.what}: cannot connect; retrying`);
      this.#markDown(describeError(err));
      this.#schedule();
    } finally {
      this.#connecting = false;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    const { clock } = this.#o.ctx;
    const delayMs = this.#backoff.next();
    this.#timer = clock.at(clock.now() + BigInt(delayMs) * 1_000_000n, () => void this.#attempt());
  }
}
