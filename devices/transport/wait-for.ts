import type { Clock } from '../../src/core/time.ts';

/**
 * Resolves with the first value `subscribe` delivers, or `undefined` after `timeoutMs` on `clock`
 * (a ManualClock in tests, so handshake timeouts need no wall-clock sleeps).
 */
export function waitFor<T>(clock: Clock, timeoutMs: number, subscribe: (deliver: (v: T) => void) => () => void): Promise<T | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: T | undefined): void => {
      if (done) return;
      done = true;
      timer.cancel();
      unsubscribe();
      resolve(v);
    };
    const timer = clock.at(clock.now() + BigInt(Math.round(timeoutMs * 1e6)), () => finish(undefined));
    const unsubscribe = subscribe((v) => finish(v));
  });
}
