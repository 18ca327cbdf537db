/**
 * Recycled ArrayBuffers for big frames (DESIGN: no per-frame allocation in steady state). A frame
 * goes source → inference worker (transferred) → back (transferred) → here → the next frame; a frame
 * no set ever used comes back when its buffer evicts it. Buffers are keyed by exact byte length.
 */
export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  readonly #maxPerSize: number;
  #allocated = 0;
  #reused = 0;

  /** `maxPerSize`: idle buffers kept per byte length (default 8: a few frames of each stream). */
  constructor(maxPerSize = 8) {
    this.#maxPerSize = maxPerSize;
  }

  /** A buffer of exactly `byteLength` bytes (contents undefined: the caller overwrites it). */
  acquire(byteLength: number): ArrayBuffer {
    const buf = this.#free.get(byteLength)?.pop();
    if (buf) {
      this.#reused++;
      return buf;
    }
    this.#allocated++;
    return new ArrayBuffer(byteLength);
  }

  /** Gives a buffer back. Detached (transferred) or zero-length buffers are ignored. */
  release(buf: ArrayBuffer): void {
    if (buf.byteLength === 0) return;
    let list = this.#free.get(buf.byteLength);
    if (!list) this.#free.set(buf.byteLength, (list = []));
    if (list.length < this.#maxPerSize && !list.includes(buf)) list.push(buf);
  }

  stats(): { allocated: number; reused: number; idle: number } {
    let idle = 0;
    for (const l of this.#free.values()) idle += l.length;
    return { allocated: this.#allocated, reused: this.#reused, idle };
  }
}
