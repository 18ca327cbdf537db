/**
 * A growable byte window for streaming decoders: `append` bytes at the end, look at them through
 * `view()`, `consume(n)` from the front. Data is compacted lazily (when more than half the backing
 * store is consumed), so steady-state decoding does not allocate per push.
 */
export class ByteAccumulator {
  #buf: Uint8Array;
  #start = 0;
  #end = 0;

  constructor(initialCapacity = 4096) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.#end - this.#start;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const need = this.length + bytes.length;
    if (this.#end + bytes.length > this.#buf.length) {
      if (need <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#end -= this.#start;
      this.#start = 0;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** The unconsumed bytes. Valid until the next `append` or `consume`. */
  view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Byte at `i` from the front (no bounds check beyond returning 0 past the end). */
  at(i: number): number {
    return this.#start + i < this.#end ? (this.#buf[this.#start + i] as number) : 0;
  }

  consume(n: number): void {
    this.#start = Math.min(this.#end, this.#start + Math.max(0, n));
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /** Copies `n` bytes from the front (the caller keeps them; the window moves on). */
  take(n: number): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.consume(n);
    return out;
  }

  clear(): void {
    this.#start = this.#end = 0;
  }
}
