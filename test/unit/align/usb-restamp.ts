import { mulberry32 } from '../../../src/core/random.ts';

/**
 * Ground truth for clock sync: re-stamps a recording's samples as if they had travelled a Cyton
 * dongle's USB-serial link, with every timing fault at a known size.
 *
 * Model (FTDI FT231X, OpenBCI dongle; sensor-protocols §1.1, §1.7): sample `n` is taken when the
 * device clock reads n / rate; the device clock runs `1 + driftPpm·1e-6` times as fast as the host.
 * Its 33 bytes take 2.86 ms at 115200 baud. The FTDI chip sends its buffer when 62 bytes are in it
 * — every second packet — or when its 16 ms latency timer expires, then waits for the next 1 ms
 * USB frame; the OS adds a short exponential delay and, rarely, a stall of 5–40 ms. Arrivals never
 * overtake each other. Dropped samples never reach the dongle. A host clock step moves every
 * host reading (arrivals and the truth) after it.
 */

export interface RestampOptions {
  seed: number;
  rateHz: number;
  driftPpm: number;
  /** Host time of sample 0's time of validity. */
  t0: bigint;
  /** Fixed latency besides the serial transmission (driver, GUI), ns. */
  fixedLatencyNs: number;
  /** Rows to lose: `count` consecutive samples from sample number `at`. */
  drops?: { at: number; count: number }[];
  /** The host clock steps by `stepNs` at `atS` seconds after t0. */
  hostStep?: { atS: number; stepNs: number };
  /** Probability per USB transfer of an OS stall (default 0.003). */
  stallProbability?: number;
}

export interface Restamped {
  /** Per delivered sample: true sample number, 8-bit counter, host arrival, true time of validity. */
  n: number[];
  counter: number[];
  arrival: bigint[];
  truth: bigint[];
  /** The constant part of the delay (serial transmission + fixed latency): what to subtract. */
  constantNs: number;
}

/** mulberry32: small, seedable, good enough for test noise. */
export const rng = mulberry32;

const SERIAL_NS = (33 * 10 * 1e9) / 115200;
const LATENCY_TIMER_NS = 16e6;

export function restampUsb(counterColumn: ArrayLike<number>, o: RestampOptions): Restamped {
  const rand = rng(o.seed);
  const lost = new Set<number>();
  for (const d of o.drops ?? []) for (let k = 0; k < d.count; k++) lost.add(d.at + k);
  const period = 1e9 / o.rateHz / (1 + o.driftPpm * 1e-6);
  const stepAt = o.hostStep ? o.t0 + BigInt(Math.round(o.hostStep.atS * 1e9)) : undefined;
  const stepNs = BigInt(o.hostStep?.stepNs ?? 0);
  const stall = o.stallProbability ?? 0.003;
  const out: Restamped = { n: [], counter: [], arrival: [], truth: [], constantNs: SERIAL_NS + o.fixedLatencyNs };
  const pending: { n: number; ready: number }[] = [];
  let lastArrival = -Infinity;
  const flush = (at: number): void => {
    const frame = Math.ceil(at / 1e6) * 1e6 - at; // next 1 ms USB frame
    let delay = frame - 0.3e6 * Math.log(1 - rand());
    if (rand() < stall) delay += 5e6 + 35e6 * rand();
    const arrivalRel = Math.max(lastArrival, at + delay);
    lastArrival = arrivalRel;
    for (const p of pending) {
      const trueValidity = o.t0 + BigInt(Math.round(p.n * period));
      const arrivalTrue = o.t0 + BigInt(Math.round(arrivalRel + o.fixedLatencyNs));
      out.n.push(p.n);
      out.counter.push(counterColumn[p.n] as number);
      out.arrival.push(stepAt !== undefined && arrivalTrue >= stepAt ? arrivalTrue + stepNs : arrivalTrue);
      out.truth.push(stepAt !== undefined && trueValidity >= stepAt ? trueValidity + stepNs : trueValidity);
    }
    pending.length = 0;
  };
  for (let n = 0; n < counterColumn.length; n++) {
    if (lost.has(n)) continue;
    const ready = n * period + SERIAL_NS;
    // The latency timer flushes a lone packet that waited too long for a partner.
    const first = pending[0];
    if (first && ready - first.ready > LATENCY_TIMER_NS) flush(first.ready + LATENCY_TIMER_NS);
    pending.push({ n, ready });
    if (pending.length >= 2) flush(ready);
  }
  const last = pending[0];
  if (last) flush(last.ready + LATENCY_TIMER_NS);
  return out;
}

/** |a − b| quantile helper (ms). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
