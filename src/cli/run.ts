import { loadConfigFile } from '../config/load.ts';
import { wire } from '../config/wiring.ts';
import { SystemClock } from '../core/clocks.ts';
import type { Registry } from '../core/registry.ts';
import { Runtime } from '../pipeline/runtime.ts';
import { createConsoleView } from './console-view.ts';
import { createLogger } from './logger.ts';

export interface RunOptions {
  mqtt?: string;
  metricsPort?: number;
  /** Force the live view even when stdout is not a terminal. */
  view?: boolean;
  /** Stop after this many ms (smoke tests, demos). */
  durationMs?: number;
}

/** `sensorium run [config]`: the main job. Resolves with the process exit code. */
export async function runCommand(configPath: string, opts: RunOptions, registry: Registry): Promise<number> {
  const loaded = loadConfigFile(configPath);
  const log = createLogger(loaded.config.log.level);
  const wiring = await wire(loaded.config, registry, loaded.dir);
  const view = loaded.config.outputs.console;
  const showView = view.enabled && (opts.view || view.force || process.stdout.isTTY);
  const runtime = new Runtime({
    wiring,
    registry,
    clock: new SystemClock(),
    log,
    baseDir: loaded.dir,
    sinks: showView ? [createConsoleView()] : [],
    ...(opts.mqtt ? { mqttUrl: opts.mqtt } : {}),
    ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
  });
  log.info({ config: loaded.path, version: registry.version }, 'starting');
  let stopping = false;
  const done = new Promise<number>((resolve) => {
    const shutdown = (signal: string): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'stopping: draining in-flight work');
      // Hard deadline below systemd's TimeoutStopSec (20 s in deploy/systemd).
      const hard = setTimeout(() => {
        log.error('shutdown timed out');
        process.exit(1);
      }, 15_000);
      hard.unref();
      runtime.stop(10_000).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    if (opts.durationMs) setTimeout(() => shutdown('duration'), opts.durationMs).unref();
  });
  try {
    await runtime.start();
    if (runtime.mqttUrl && runtime.topics) {
      log.info({ subscribe: `mosquitto_sub -h ${new URL(runtime.mqttUrl).hostname} -p ${new URL(runtime.mqttUrl).port} -t '${runtime.topics.base}/#' -v` }, 'watch results');
    }
  } catch (err) {
    await runtime.stop(3000).catch(() => {});
    throw err;
  }
  return done;
}
