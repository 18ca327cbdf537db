import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, DecodeError, EXIT_CONFIG, ModelError, RecordingError, describeError } from '../core/errors.ts';
import type { CliRegistry } from './registry.ts';
import { parseDuration } from '../core/time.ts';
import { inspectCommand } from './inspect.ts';
import { planCommand } from './plan.ts';
import { runCommand } from './run.ts';
import { timingCommand } from './timing.ts';

const DEFAULT_CONFIG = 'deploy/configs/demo.yaml';

function durationMs(text: string): number {
  const ns = parseDuration(text);
  if (ns === undefined) throw new InvalidArgumentError(`not a duration: ${text}`);
  return Number(ns / 1_000_000n);
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`not a port: ${text}`);
  return n;
}

/** EX_DATAERR: an input file (recording, capture) that cannot be read as what it claims to be. */
const EXIT_DATA = 65;

/** Maps failures to exit codes: 78 (EX_CONFIG) for config and model-set problems, 65 for unreadable input files, 1 otherwise. */
async function guard(fn: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await fn();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModelError) {
      process.stderr.write(`sensorium: ${err instanceof ConfigError ? 'invalid config' : 'model error'}: ${err.message}\n`);
      code = EXIT_CONFIG;
    } else if (err instanceof RecordingError || err instanceof DecodeError) {
      process.stderr.write(`sensorium: ${err.message}\n`);
      code = EXIT_DATA;
    } else {
      process.stderr.write(`sensorium: ${describeError(err)}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

export function buildProgram(registry: CliRegistry): Command {
  const program = new Command();
  program
    .name('sensorium')
    .description('Real-time multimodal sensor fusion: sensors → time-aligned buffers → int8 ONNX encoders + fusion head → MQTT')
    .version(registry.version);

  program
    .command('run')
    .description('run the pipelines of a config (default: the simulator demo)')
    .argument('[config]', 'YAML config', DEFAULT_CONFIG)
    .option('--mqtt <url>', 'publish to this broker instead of outputs.mqtt')
    .option('--metrics-port <port>', 'serve /metrics on this port', port)
    .option('--view', 'show the live result view even when stdout is not a terminal')
    .option('--duration <d>', 'stop after this long (e.g. 30s)', durationMs)
    .action((config: string, o: { mqtt?: string; metricsPort?: number; view?: boolean; duration?: number }) =>
      guard(() => runCommand(config, { ...(o.mqtt ? { mqtt: o.mqtt } : {}), ...(o.metricsPort !== undefined ? { metricsPort: o.metricsPort } : {}), ...(o.view ? { view: true } : {}), ...(o.duration ? { durationMs: o.duration } : {}) }, registry)),
    );

  program
    .command('plan')
    .description('explain what a config will do: sources, rates, policies, output rate, worst-case added latency, buffer memory')
    .argument('[config]', 'YAML config', DEFAULT_CONFIG)
    .option('--json', 'machine-readable output')
    .action((config: string, o: { json?: boolean }) => guard(() => planCommand(config, { json: Boolean(o.json) }, registry)));

  program
    .command('inspect')
    .description('check a model set: manifest, file hashes, inputs/outputs as ONNX Runtime sees them')
    .argument('<model-dir>', 'directory with manifest.json')
    .option('--json', 'machine-readable output')
    .action((dir: string, o: { json?: boolean }) => guard(() => inspectCommand(dir, { json: Boolean(o.json) })));

  program
    .command('timing')
    .description('timing analysis of a recording per source: nominal vs effective rate, drift, raw vs dejittered jitter, gaps, resets')
    .argument('<file>', 'OpenBCI GUI text recording (v5/v6/2016)')
    .option('--stamps <csv>', 'also write per-sample stamps: source,index,raw_ms,dejittered_ms')
    .action((file: string, o: { stamps?: string }) => guard(() => timingCommand(file, { readers: registry.timingReaders, ...(o.stamps ? { stamps: o.stamps } : {}) })));

  return program;
}
