import type { AnySample, Clock, DeviceContext, TimestampNs } from '../../src/core/index.ts';
import type { GroundTruthTrack, LogInfo, LogReader, ReplayFeed, SampleQuery } from '../../src/core/log-reader.ts';
import { ReplayAdapter } from './adapter.ts';

/**
 * One replay of one log on one virtual clock, shared by all of its sources. It reads the log in
 * `receivedAt` order one sample ahead, and `fill(t)` puts every sample due by `t` on the clock as a
 * timer at its `receivedAt` — the instant the recorded device delivered it. The controller only
 * advances the clock past instants already filled, so delivery never depends on how fast the log
 * is read or how fast inference runs: the same samples reach the pipeline at the same virtual
 * instants at any speed.
 */
export class ReplaySession implements ReplayFeed {
  readonly info: LogInfo;
  readonly #reader: LogReader;
  readonly #clock: Clock;
  readonly #iter: AsyncIterator<AnySample>;
  readonly #adapters = new Map<string, ReplayAdapter>();
  readonly #delivered: Record<string, number> = {};
  readonly #onClose: () => void;
  #next: AnySample | undefined;
  #closed = false;

  private constructor(reader: LogReader, clock: Clock, query: SampleQuery, onClose: () => void) {
    this.info = reader.info;
    this.#reader = reader;
    this.#clock = clock;
    this.#iter = reader.samples(query)[Symbol.asyncIterator]();
    this.#onClose = onClose;
  }

  static async start(reader: LogReader, clock: Clock, query: SampleQuery, onClose: () => void = () => {}): Promise<ReplaySession> {
    const s = new ReplaySession(reader, clock, query, onClose);
    s.#next = await s.#read();
    return s;
  }

  /** The adapter of `sourceId` (silent when the log has no such source, or the filter drops it). */
  open(sourceId: string, ctx: DeviceContext): ReplayAdapter {
    const a = new ReplayAdapter(sourceId, (x) => {
      if (this.#adapters.get(sourceId) === x) this.#adapters.delete(sourceId);
    });
    this.#adapters.set(sourceId, a);
    ctx.onEvent?.({ type: 'connected', at: ctx.clock.now() });
    return a;
  }

  nextAt(): TimestampNs | undefined {
    return this.#next?.receivedAt;
  }

  async fill(t: TimestampNs): Promise<void> {
    while (this.#next && this.#next.receivedAt <= t) {
      const s = this.#next;
      this.#clock.at(s.receivedAt, () => this.#deliver(s));
      this.#next = await this.#read();
    }
  }

  delivered(): Record<string, number> {
    return { ...this.#delivered };
  }

  groundTruth(): Promise<GroundTruthTrack | undefined> {
    return this.#reader.groundTruth();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#next = undefined;
    await this.#iter.return?.();
    await this.#reader.close();
    this.#onClose();
  }

  #deliver(s: AnySample): void {
    const a = this.#adapters.get(s.sourceId);
    if (!a) return;
    a.push(s);
    this.#delivered[s.sourceId] = (this.#delivered[s.sourceId] ?? 0) + 1;
  }

  async #read(): Promise<AnySample | undefined> {
    if (this.#closed) return undefined;
    const r = await this.#iter.next();
    return r.done ? undefined : r.value;
  }
}
