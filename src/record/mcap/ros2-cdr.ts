/**
 * A minimal CDR (XCDR1) reader for ROS 2 messages as rosbag2 stores them: a 4-byte encapsulation
 * header (`00 01 00 00` little-endian, `00 00 00 00` big-endian), then fields aligned to their own
 * size relative to the byte after the header (notes/sensor-protocols.md §8.3). Strings are
 * `u32 length (incl. NUL) + bytes + NUL`; sequences `u32 count + elements`.
 */
export class CdrReader {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  readonly #le: boolean;
  #pos = 4;

  constructor(bytes: Uint8Array) {
    if (bytes.byteLength < 4) throw new RangeError('CDR payload shorter than its encapsulation header');
    const kind = bytes[1] as number;
    // 0 = CDR_BE, 1 = CDR_LE; 2/3 are the parameter-list variants, which ROS 2 messages do not use.
    if (bytes[0] !== 0 || kind > 1) throw new RangeError(`unsupported CDR encapsulation ${bytes[0]} ${kind}`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#le = kind === 1;
  }

  get littleEndian(): boolean {
    return this.#le;
  }

  #align(n: number): void {
    const rel = this.#pos - 4;
    const pad = (n - (rel % n)) % n;
    this.#pos += pad;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#bytes.byteLength) throw new RangeError(`CDR read of ${n} bytes at ${this.#pos} runs past ${this.#bytes.byteLength}`);
  }

  u8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#pos++);
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  u32(): number {
    this.#align(4);
    this.#need(4);
    const v = this.#view.getUint32(this.#pos, this.#le);
    this.#pos += 4;
    return v;
  }

  i32(): number {
    this.#align(4);
    this.#need(4);
    const v = this.#view.getInt32(this.#pos, this.#le);
    this.#pos += 4;
    return v;
  }

  f32(): number {
    this.#align(4);
    this.#need(4);
    const v = this.#view.getFloat32(this.#pos, this.#le);
    this.#pos += 4;
    return v;
  }

  string(): string {
    const n = this.u32();
    this.#need(n);
    const s = new TextDecoder().decode(this.#bytes.subarray(this.#pos, this.#pos + Math.max(0, n - 1)));
    this.#pos += n;
    return s;
  }

  /** `uint8[]`: a view into the message bytes (callers copy what they keep). */
  bytes(): Uint8Array {
    const n = this.u32();
    this.#need(n);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** `float32[]` into a fresh array (byte order converted when needed). */
  f32s(): Float32Array {
    const n = this.u32();
    if (n > 0) this.#align(4);
    this.#need(n * 4);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#view.getFloat32(this.#pos + 4 * i, this.#le);
    this.#pos += 4 * n;
    return out;
  }

  /** `std_msgs/Header`: stamp (int32 sec, uint32 nanosec) → ns, and frame_id. */
  header(): { stampNs: bigint; frameId: string } {
    const sec = this.i32();
    const nsec = this.u32();
    return { stampNs: BigInt(sec) * 1_000_000_000n + BigInt(nsec), frameId: this.string() };
  }
}
