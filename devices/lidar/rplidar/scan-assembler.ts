import type { LaserScan } from '../../../src/core/sample.ts';
import type { TimestampNs } from '../../../src/core/time.ts';
import type { RplidarNode } from './messages.ts';

export interface AssembledScan {
  scan: LaserScan;
  /** Arrival of the first and last node of the revolution. */
  firstReceivedAt: TimestampNs;
  lastReceivedAt: TimestampNs;
  /** Nodes in the revolution, and those with a valid distance. */
  nodes: number;
  valid: number;
}

export interface ScanAssemblerOptions {
  /** Angular bins per revolution. Default 360 (1°), the grid of the reference lidar model. */
  bins?: number;
  /** Default 0.15 m (A1/A2 datasheet minimum range). */
  rangeMinM?: number;
  /** Default 12 m (A1M8 datasheet; A2M8 is 12 m, A3 25 m — set it per model). */
  rangeMaxM?: number;
  /** Drop nodes below this quality (0–63). Default 0: keep everything with a distance. */
  minQuality?: number;
}

/**
 * Nodes → one {@link LaserScan} per revolution, cut at each node with the start flag. RPLIDAR angles
 * are clockwise from the front; LaserScan angles are counter-clockwise from +x (REP 103), so bin i
 * holds angle −θ. Nodes are binned by angle keeping the nearest return per bin (as the scan
 * preprocessor does), so an obstacle never disappears behind a farther ray in the same bin.
 */
export class ScanAssembler {
  readonly #bins: number;
  readonly #min: number;
  readonly #max: number;
  readonly #minQ: number;
  #ranges: Float32Array;
  #intens: Float32Array;
  #first: TimestampNs | undefined;
  #last: TimestampNs = 0n;
  #nodes = 0;
  #valid = 0;

  constructor(o: ScanAssemblerOptions = {}) {
    this.#bins = o.bins ?? 360;
    this.#min = o.rangeMinM ?? 0.15;
    this.#max = o.rangeMaxM ?? 12;
    this.#minQ = o.minQuality ?? 0;
    this.#ranges = new Float32Array(this.#bins);
    this.#intens = new Float32Array(this.#bins);
  }

  /** Adds a node; returns the finished revolution when this node starts a new one. */
  add(n: RplidarNode): AssembledScan | undefined {
    const done = n.start && this.#first !== undefined ? this.#finish() : undefined;
    if (n.start || this.#first !== undefined) {
      this.#first ??= n.receivedAt;
      this.#last = n.receivedAt;
      this.#nodes++;
      const r = n.distanceMm / 1000;
      if (n.distanceMm > 0 && n.quality >= this.#minQ && r >= this.#min && r <= this.#max) {
        this.#valid++;
        const ccw = (360 - n.angleDeg) % 360;
        const b = Math.round((ccw / 360) * this.#bins) % this.#bins;
        const cur = this.#ranges[b]!;
        if (cur === 0 || r < cur) {
          this.#ranges[b] = r;
          this.#intens[b] = n.quality;
        }
      }
    }
    return done;
  }

  /** Drops the revolution in progress (after a reconnect its start is unknown). */
  reset(): void {
    this.#first = undefined;
    this.#ranges.fill(0);
    this.#intens.fill(0);
    this.#nodes = this.#valid = 0;
  }

  #finish(): AssembledScan {
    const scan: LaserScan = {
      angleMin: 0,
      angleIncrement: (2 * Math.PI) / this.#bins,
      rangeMin: this.#min,
      rangeMax: this.#max,
      ranges: this.#ranges,
      intensities: this.#intens,
    };
    const out = { scan, firstReceivedAt: this.#first as TimestampNs, lastReceivedAt: this.#last, nodes: this.#nodes, valid: this.#valid };
    this.#ranges = new Float32Array(this.#bins);
    this.#intens = new Float32Array(this.#bins);
    this.#first = undefined;
    this.#nodes = this.#valid = 0;
    return out;
  }
}
