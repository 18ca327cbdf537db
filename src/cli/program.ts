import { statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, DecodeError, EXIT_CONFIG, ModelError, RecordingError, describeError } from '../core/errors.ts';
import type { CliRegistry } from './registry.ts';
import { parseDuration } from '../core/time.ts';
import { devicesCommand } from './devices.ts';
import { inspectCaptureCommand } from './inspect-capture.ts';
import { inspectCommand } from './inspect.ts';
import { planCommand } from './plan.ts';
import { recordCommand } from './record.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { timingCommand } from './timing.ts';

const DEFAULT_CONFIG = 'deploy/configs/demo.yaml';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

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
    .description('a model set (directory with manifest.json): verify hashes and load it in ORT; a capture file (Velodyne/Ouster pcap, RealSense bag, OpenBCI GUI text, EDF/BDF, BrainFlow CSV, MCAP): decode it and summarise each stream')
    .argument('<path>', 'model-set directory or capture file')
    .option('--metadata <json>', 'Ouster: the sensor metadata JSON of the capture')
    .option('--json', 'machine-readable output only')
    .action((path: string, o: { json?: boolean; metadata?: string }) =>
      guard(() =>
        isDirectory(path)
          ? inspectCommand(path, { json: Boolean(o.json) })
          : inspectCaptureCommand(path, { json: Boolean(o.json), ...(o.metadata ? { metadata: o.metadata } : {}) }, registry.captureReaders),
      ),
    );

  program
    .command('devices')
    .description('list the devices each driver can find (serial ports, V4L2 cameras, …) and say why when it cannot look')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => guard(() => devicesCommand(registry, { json: Boolean(o.json) })));

  program
    .command('timing')
    .description('timing analysis of a recording per source: nominal vs effective rate, drift, raw vs dejittered jitter, gaps, resets')
    .argument('<file>', 'OpenBCI GUI text recording (v5/v6/2016) or a Sensorium MCAP log')
    .option('--stamps <csv>', 'also write per-sample stamps: source,index,raw_ms,dejittered_ms')
    .action((file: string, o: { stamps?: string }) => guard(() => timingCommand(file, { readers: registry.timingReaders, ...(o.stamps ? { stamps: o.stamps } : {}) })));


  program
    .command('record')
    .description('run the pipelines of a config and record every source and result to MCAP (opens in Foxglove)')
    .argument('[config]', 'YAML config', DEFAULT_CONFIG)
    .option('--out <file.mcap>', 'output file; {date} becomes the start time (default: outputs.record.path)')
    .option('--duration <d>', 'stop after this long (e.g. 30s); otherwise at SIGINT/SIGTERM')
    .option('--compression <c>', 'chunk compression: zstd, lz4 or none', (v: string) => compressionOf(v))
    .option('--downsample <n>', 'area-average camera and depth frames n×n before writing (lossy)', (v: string) => positiveInt(v))
    .option('--rotate-mib <n>', 'start a new file past n MiB', (v: string) => positiveInt(v))
    .option('--rotate-every <d>', 'start a new file after this long (e.g. 10m)')
    .option('--virtual [start]', 'simulator only: run on a virtual clock from start (ISO time, ns or now), as fast as possible — a reproducible log')
    .option('--mqtt <url>', 'also publish results to this broker')
    .option('--json', 'print the summary as JSON')
    .action((config: string, o: { out?: string; duration?: string; compression?: 'zstd' | 'lz4' | 'none'; downsample?: number; rotateMib?: number; rotateEvery?: string; virtual?: string | boolean; mqtt?: string; json?: boolean }) =>
      guard(() =>
        recordCommand(
          config,
          {
            ...(o.out ? { out: o.out } : {}),
            ...(o.duration ? { duration: o.duration } : {}),
            ...(o.compression ? { compression: o.compression } : {}),
            ...(o.downsample ? { downsample: o.downsample } : {}),
            ...(o.rotateMib ? { rotateMiB: o.rotateMib } : {}),
            ...(o.rotateEvery ? { rotateEvery: o.rotateEvery } : {}),
            ...(o.virtual !== undefined ? { virtual: o.virtual === true ? 'now' : String(o.virtual) } : {}),
            ...(o.mqtt ? { mqtt: o.mqtt } : {}),
            ...(o.json ? { json: true } : {}),
          },
          registry,
        ),
      ),
    );

  program
    .command('replay')
    .description('replay a recorded log (sensorium MCAP or rosbag2 MCAP) through the pipelines on a virtual clock: identical results at any speed')
    .argument('<log>', 'MCAP file')
    .option('--config <file>', 'config to run (default: the one embedded in the log)')
    .option('--speed <s>', '1 (real time), N (N× faster) or max', '1')
    .option('--from <d>', 'start this far into the log (e.g. 2s)')
    .option('--to <d>', 'stop this far into the log')
    .option('--sources <ids>', 'comma-separated sources to stream; the others stay silent (their inputs go missing)')
    .option('--out <file>', 'write every result as a JSON line (- = stdout)')
    .option('--mqtt <url>', 'also publish results to this broker')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar even on a terminal')
    .action((log: string, o: { config?: string; speed: string; from?: string; to?: string; sources?: string; out?: string; mqtt?: string; json?: boolean; progress: boolean }) =>
      guard(() =>
        replayCommand(
          log,
          {
            speed: o.speed,
            ...(o.config ? { config: o.config } : {}),
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
            ...(o.sources ? { sources: o.sources } : {}),
            ...(o.out ? { out: o.out } : {}),
            ...(o.mqtt ? { mqtt: o.mqtt } : {}),
            ...(o.json ? { json: true } : {}),
            ...(o.progress === false ? { progress: false } : {}),
          },
          registry,
        ),
      ),
    );

  return program;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`not a positive integer: ${text}`);
  return n;
}

function compressionOf(text: string): 'zstd' | 'lz4' | 'none' {
  if (text === 'zstd' || text === 'lz4' || text === 'none') return text;
  throw new InvalidArgumentError(`not a compression (zstd, lz4, none): ${text}`);
}
