import type { TimestampNs } from '../core/time.ts';

export type Speed = number | 'max';

export interface Pacer {
  /** Resolves when the wall clock has reached log time `t` at this speed. */
  wait(t: TimestampNs): Promise<void>;
  /** How far behind schedule the last instant ran (ms; 0 when on time or at max speed). */
  lagMs(): number;
}

/**
 * Paces a lock-step replay against the wall clock: log time `t` is due at
 * `wallStart + (t − origin) / speed`. Never skips work to catch up — a replay slower than real time
 * falls behind (lag), it does not drop. The wall clock is injectable; it is the only wall time in
 * replay, and outputs do not depend on it.
 */
export function createPacer(speed: Speed, originNs: TimestampNs, wall: () => bigint = () => process.hrtime.bigint()): Pacer {
  if (speed !== 'max' && !(speed > 0)) throw new RangeError(`speed must be > 0 or "max", got ${speed}`);
  const start = wall();
  let lag = 0;
  return {
    async wait(t) {
      if (speed === 'max') return;
      const due = start + BigInt(Math.round(Number(t - originNs) / speed));
      const ahead = due - wall();
      lag = ahead < 0n ? Number(-ahead) / 1e6 : 0;
      if (ahead > 1_000_000n) await new Promise((resolve) => setTimeout(resolve, Number(ahead / 1_000_000n)));
    },
    lagMs: () => lag,
  };
}

/** `"max"`, `"10"`, `"10x"`, `"0.5×"` → speed. */
export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return 'max';
  const m = /^(\d+(?:\.\d+)?)\s*[x×]?$/.exec(text.trim());
  const v = m ? Number(m[1]) : NaN;
  return v > 0 ? v : undefined;
}
