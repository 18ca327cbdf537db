import type { PointCloud } from '../../src/core/sample.ts';

/**
 * Accumulates points into growable typed arrays and hands them out as one {@link PointCloud}
 * (copied to exact length, so the sample owns compact buffers that can be transferred).
 */
export class CloudBuilder {
  #xyz = new Float32Array(3 * 1024);
  #intensity = new Float32Array(1024);
  #time = new Float32Array(1024);
  #ring = new Uint16Array(1024);
  #n = 0;

  get count(): number {
    return this.#n;
  }

  add(x: number, y: number, z: number, intensity: number, timeOffsetS: number, ring: number): void {
    if (this.#n === this.#intensity.length) this.#grow();
    const i = this.#n++;
    this.#xyz[3 * i] = x;
    this.#xyz[3 * i + 1] = y;
    this.#xyz[3 * i + 2] = z;
    this.#intensity[i] = intensity;
    this.#time[i] = timeOffsetS;
    this.#ring[i] = ring;
  }

  /** The points so far as a PointCloud; the builder is empty afterwards. */
  take(): PointCloud {
    const n = this.#n;
    this.#n = 0;
    return {
      count: n,
      xyz: this.#xyz.slice(0, 3 * n),
      intensity: this.#intensity.slice(0, n),
      timeOffset: this.#time.slice(0, n),
      ring: this.#ring.slice(0, n),
    };
  }

  #grow(): void {
    const cap = this.#intensity.length * 2;
    const xyz = new Float32Array(3 * cap);
    xyz.set(this.#xyz);
    this.#xyz = xyz;
    const inten = new Float32Array(cap);
    inten.set(this.#intensity);
    this.#intensity = inten;
    const time = new Float32Array(cap);
    time.set(this.#time);
    this.#time = time;
    const ring = new Uint16Array(cap);
    ring.set(this.#ring);
    this.#ring = ring;
  }
}
