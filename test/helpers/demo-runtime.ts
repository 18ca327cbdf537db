import { loadConfigFile } from '../../src/config/load.ts';
import { wire } from '../../src/config/wiring.ts';
import { ManualClock } from '../../src/core/clocks.ts';
import type { Logger } from '../../src/core/logger.ts';
import { createRegistry } from '../../src/main.ts';
import { Runtime } from '../../src/pipeline/runtime.ts';
import type { ResultPayload } from '../../src/publish/payload-schema.ts';
import { demoConfig, type DemoYaml } from './demo-config.ts';

/** A logger that keeps every line (to assert on what an operator would read). */
export function memoryLogger(): Logger & { lines: { level: string; obj: object; msg: string }[] } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const make = (bindings: object): Logger => {
    const at =
      (level: string) =>
      (a: object | string, b?: string): void => {
        lines.push(typeof a === 'string' ? { level, obj: bindings, msg: a } : { level, obj: { ...bindings, ...a }, msg: b ?? '' });
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return Object.assign(make({}), { lines });
}

export interface DemoRuntime {
  runtime: Runtime;
  clock: ManualClock;
  results: ResultPayload[];
  /** Advances simulated time in 10 ms lock-steps (inference finishes each step: no drops). */
  run(seconds: number): Promise<void>;
}

/** The demo pipeline in-process on a manual clock, with config edits. Call `runtime.start()` yourself. */
export async function demoRuntime(mutate: (c: DemoYaml, dir: string) => void, log: Logger): Promise<DemoRuntime> {
  const { file } = demoConfig(mutate);
  const loaded = loadConfigFile(file);
  const registry = createRegistry();
  const wiring = await wire(loaded.config, registry, loaded.dir);
  const clock = new ManualClock(1_800_000_000_000_000_000n);
  const results: ResultPayload[] = [];
  const runtime = new Runtime({ wiring, registry, clock, log, baseDir: loaded.dir, sinks: [(r) => results.push(r)] });
  return {
    runtime,
    clock,
    results,
    async run(seconds: number) {
      const end = clock.now() + BigInt(Math.round(seconds * 1e9));
      while (clock.now() < end) {
        await clock.advance(10_000_000n);
        await runtime.idle();
      }
    },
  };
}
