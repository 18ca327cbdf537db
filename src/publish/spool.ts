import type { OutboundMessage } from './publisher.ts';

export interface SpoolEntry {
  /** Our own monotonic id (not the 16-bit MQTT packet id, which wraps and collides). */
  id: number;
  msg: OutboundMessage;
  bytes: number;
}

export interface SpoolStats {
  entries: number;
  bytes: number;
  /** Entries dropped to stay within bounds (oldest first), since this process opened the spool. */
  dropped: number;
  /** Age of the oldest unacknowledged entry (0 when empty). */
  oldestAgeMs?: number;
}

/**
 * The outbox for QoS ≥ 1 messages: entries stay until acknowledged, in order. Bounded by entries
 * and bytes with an explicit drop-oldest policy. The durable file implementation (append-only
 * segments, survives kill -9) implements the same port.
 */
export interface Spool {
  append(msg: OutboundMessage): SpoolEntry;
  /** Unacknowledged entries with `id > afterId`, oldest first, at most `max`. */
  after(afterId: number, max: number): SpoolEntry[];
  ack(id: number): void;
  /** Highest `seq` appended for a stream (e.g. `cell_state/result`), surviving restarts when durable. */
  lastSeq(stream: string): number | undefined;
  /** Unacknowledged entries (what `stats().entries` says, without building the stats). */
  readonly pending: number;
  stats(): SpoolStats;
  close(): Promise<void>;
}

export interface MemorySpoolOptions {
  maxEntries?: number;
  maxBytes?: number;
  onDrop?: (entry: SpoolEntry) => void;
}

/** In-memory spool: survives broker outages, not process death. */
export class MemorySpool implements Spool {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #onDrop: ((e: SpoolEntry) => void) | undefined;
  #entries: SpoolEntry[] = [];
  /** Skips the acknowledged prefix without an O(n) shift per ack. */
  #head = 0;
  #acked = new Set<number>();
  #nextId = 1;
  #bytes = 0;
  #dropped = 0;
  #seqs = new Map<string, number>();

  constructor(options: MemorySpoolOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#onDrop = options.onDrop;
  }

  append(msg: OutboundMessage): SpoolEntry {
    const entry: SpoolEntry = { id: this.#nextId++, msg, bytes: (typeof msg.payload === 'string' ? Buffer.byteLength(msg.payload) : msg.payload.byteLength) + msg.topic.length };
    this.#entries.push(entry);
    this.#bytes += entry.bytes;
    if (msg.stream !== undefined && msg.seq !== undefined) this.#seqs.set(msg.stream, Math.max(this.#seqs.get(msg.stream) ?? -1, msg.seq));
    while (this.#entries.length - this.#head > this.#maxEntries || (this.#bytes > this.#maxBytes && this.#entries.length - this.#head > 1)) {
      const old = this.#entries[this.#head++] as SpoolEntry;
      this.#bytes -= old.bytes;
      this.#acked.delete(old.id);
      this.#dropped++;
      this.#onDrop?.(old);
    }
    return entry;
  }

  after(afterId: number, max: number): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    // Entries are ordered by id: binary search for the first id > afterId.
    let lo = this.#head;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#entries[mid] as SpoolEntry).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#entries.length && out.length < max; i++) {
      const e = this.#entries[i] as SpoolEntry;
      if (!this.#acked.has(e.id)) out.push(e);
    }
    return out;
  }

  ack(id: number): void {
    this.#acked.add(id);
    // Skip the acknowledged prefix; trim the array only now and then.
    while (this.#head < this.#entries.length && this.#acked.has((this.#entries[this.#head] as SpoolEntry).id)) {
      const e = this.#entries[this.#head++] as SpoolEntry;
      this.#acked.delete(e.id);
      this.#bytes -= e.bytes;
    }
    this.#trim();
  }

  #trim(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  lastSeq(stream: string): number | undefined {
    return this.#seqs.get(stream);
  }

  get pending(): number {
    return this.#entries.length - this.#head - this.#acked.size;
  }

  stats(): SpoolStats {
    return { entries: this.pending, bytes: this.#bytes, dropped: this.#dropped };
  }

  async close(): Promise<void> {}
}
