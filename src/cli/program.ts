import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, EXIT_CONFIG, ModelError, describeError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import { parseDuration } from '../core/time.ts';
import { inspectCommand } from './inspect.ts';
import { planCommand } from './plan.ts';
import { runCommand } from './run.ts';

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

/** Maps failures to exit codes: 78 (EX_CONFIG) for config and model-set problems, 1 otherwise. */
async function guard(fn: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await fn();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModelError) {
      process.stderr.write(`sensorium: ${err instanceof ConfigError ? 'invalid config' : 'model error'}: ${err.message}\n`);
      code = EXIT_CONFIG;
    } else {
      process.stderr.write(`sensorium: ${describeError(err)}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

export function buildProgram(registry: Registry): Command {
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

  return program;
}
