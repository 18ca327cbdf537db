import { z } from 'zod';
import { MODALITIES, type Modality } from '../core/sample.ts';

/**
 * The one config schema: parsed once at the boundary, yielding the TypeScript type and the JSON
 * Schema published in `deploy/schema/config.schema.json` (editors validate YAML with it).
 * Durations are strings (`100ms`, `1s`) so the YAML reads like the docs.
 */

const DURATION_RE = /^\s*\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d)\s*$/;
const SIZE_RE = /^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)\s*$/;
/** Bytes, as a number or with a unit (`64MiB`, `500MB`). */
export const size = z.union([z.number().int().positive(), z.string().regex(SIZE_RE, 'expected a size such as "64MiB" or "500MB"')]);

/** Bytes of a config size (already validated by `size`). */
export function sizeBytes(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)\s*$/.exec(v) as RegExpExecArray;
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1048576, GiB: 1073741824 }[m[2] as 'B'];
  return Math.round(Number(m[1]) * unit);
}
export const duration = z.string().regex(DURATION_RE, 'expected a duration such as "100ms", "1s" or "2m"');
const level = z.string().regex(/^[a-z0-9_-]+$/, 'use lowercase letters, digits, "_" or "-" (it becomes an MQTT topic level)');
const sourceId = z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" or "-"');
const modality = z.enum(MODALITIES as [Modality, ...Modality[]]);

const maxLatency = duration.describe('Transport budget: how long a trigger instant may wait for this source (default 0: never wait); event-driven: later samples are "late"');

const latestInput = z.strictObject({
  source: sourceId,
  policy: z.literal('latest'),
  maxAge: duration.describe('A sample older than this at the trigger is "missing" (never silently reused)'),
  maxLatency: maxLatency.optional(),
});

const windowInput = z.strictObject({
  source: sourceId,
  policy: z.literal('window'),
  length: duration.describe('Window length ending at the trigger (EEG: 1s = 250 samples at 250 Hz)'),
  maxAge: duration.default('200ms').describe('If the newest sample is older than this, the input is "missing"'),
  maxLatency: maxLatency.optional(),
});

const eventInput = (policy: 'exact' | 'approximate') =>
  z.strictObject({
    source: sourceId,
    policy: z.literal(policy),
    deadline: duration.default('500ms').describe('Silence tolerance: with nothing this long after the earliest stamp of a forming set, this input is "missing" in it'),
    maxLatency: maxLatency.optional(),
    ...(policy === 'approximate' ? { minPeriod: duration.optional().describe("Least spacing of this source's stamps (ROS inter_message_lower_bound): proves sets optimal sooner") } : {}),
  });

export const inputSchema = z.discriminatedUnion('policy', [latestInput, windowInput, eventInput('exact'), eventInput('approximate')]);

const trigger = z.union([
  z.strictObject({ every: duration.describe('Fuse at a fixed rate on the host clock') }),
  z.strictObject({ on: sourceId.describe('Fuse whenever this source delivers a sample') }),
]);

export const pipelineSchema = z.strictObject({
  models: z.string().min(1).describe('Model set directory (with manifest.json), relative to this file'),
  head: z.string().optional().describe("Fusion head (default: the manifest's defaultHead)"),
  precision: z.enum(['int8', 'float']).default('int8'),
  trigger: trigger.optional().describe('Required for latest/window inputs; exact/approximate pipelines emit when a set is matched'),
  maxInterval: duration.optional().describe('approximate: widest timestamp spread a set may have (ROS max_interval_duration)'),
  agePenalty: z.number().min(0).optional().describe('approximate: ROS age penalty (default 0.1)'),
  minInputs: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe('Fuse a set only when at least this many inputs are present (fresh or held): with nothing to see, the head would classify zeros. Fewer: skipped, counted (health skippedSets, sensorium_sets_skipped_total). 0 = always fuse'),
  inputs: z.partialRecord(modality, inputSchema),
});

const tls = z.strictObject({
  ca: z.string().optional().describe('PEM file of the CA that signed the broker certificate (relative to this file)'),
  cert: z.string().optional().describe('PEM client certificate (mutual TLS)'),
  key: z.string().optional().describe('PEM private key of the client certificate'),
  rejectUnauthorized: z.boolean().default(true).describe('Verify the broker certificate (keep true outside a lab)'),
  servername: z.string().optional().describe('Name to verify the broker certificate against (SNI), when it differs from the URL host'),
});

const spool = z.strictObject({
  dir: z.string().optional().describe('Spool directory (default $STATE_DIRECTORY/spool, else ./var/spool; relative to this file)'),
  maxBytes: size.default('64MiB').describe('Most bytes kept while the broker is unreachable; beyond it the oldest are dropped (counted, in health)'),
  maxAge: duration.default('7d').describe('Messages older than this are dropped (counted)'),
  fsync: duration.default('200ms').describe('fsync cadence (every append survives kill -9 at once; fsync is what survives a power cut)'),
});

const mqttOutput = z.strictObject({
  broker: z
    .enum(['embedded', 'system', 'external'])
    .default('embedded')
    .describe("embedded: aedes in-process (MQTT 3.1.1, zero setup); system: spawn Debian's mosquitto with deploy/mosquitto/sensorium.conf settings; external: your broker at `url`"),
  url: z.string().optional().describe('mqtt://host:1883 or mqtts://host:8883 (broker: external)'),
  host: z.string().default('127.0.0.1').describe('Listen address of the embedded/system broker'),
  port: z.number().int().min(0).max(65535).default(1883).describe('Port of the embedded/system broker (0 = any free port)'),
  tls: tls.optional(),
  passwordFile: z.string().optional().describe('File holding the password (systemd LoadCredential=); never logged'),
  spool: z.union([spool, z.literal(false)]).default({ maxBytes: '64MiB', maxAge: '7d', fsync: '200ms' }).describe('Durable outbox for QoS >= 1; false keeps it in memory only'),
  reconnect: z
    .strictObject({ min: duration.default('500ms'), max: duration.default('30s') })
    .default({ min: '500ms', max: '30s' })
    .describe('Reconnect backoff: doubles from min to max, ±25 % jitter (mqtt.js alone retries at a fixed period)'),
  willDelay: duration.default('5s').describe('MQTT 5 will delay: a quick reconnect does not flap the status to offline'),
  commands: z.boolean().default(true).describe('Answer cmd/{name} requests (snapshot, reload-models) with MQTT 5 request/response'),
  homeAssistant: z
    .strictObject({ enabled: z.boolean().default(true), prefix: z.string().default('homeassistant') })
    .optional()
    .describe('Publish Home Assistant MQTT discovery (a sensor per pipeline; HA needs an MQTT 5 broker, i.e. not the embedded one)'),
  sparkplug: z
    .strictObject({ group: z.string().regex(/^[^/#+]+$/), node: z.string().regex(/^[^/#+]+$/).optional().describe('Edge node id (default device.id)') })
    .optional()
    .describe('Also run a Sparkplug B edge node (NBIRTH/DBIRTH/DDATA/NDEATH) on its own connection'),
  protocol: z.enum(['auto', '5', '3.1.1']).default('auto'),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1).describe('QoS of results'),
  prefix: level.default('sensorium'),
  clientId: z.string().optional().describe('Default: sensorium-{device.id}'),
  username: z.string().optional(),
  passwordEnv: z.string().optional().describe('Name of the environment variable holding the password (never put secrets in the file)'),
  healthEvery: duration.default('5s'),
  resultExpiry: duration.optional().describe('MQTT 5 message expiry of results (stale results are not delivered after an outage)'),
  maxInflight: z.number().int().min(1).max(65535).default(100),
  maxQueued: z.number().int().min(1).default(100_000).describe('QoS ≥ 1 messages kept while disconnected; beyond it the oldest are dropped (counted)'),
});

const consoleOutput = z.strictObject({
  enabled: z.boolean().default(true).describe('One line per result on stdout when it is a TTY or when forced'),
  force: z.boolean().default(false).describe('Print even when stdout is not a terminal'),
});

const recordOutput = z.strictObject({
  path: z.string().min(1).default('./var/logs/{date}.mcap').describe('MCAP file written by `sensorium record`; {date} becomes the start time (UTC)'),
  compression: z.enum(['zstd', 'lz4', 'none']).default('zstd').describe('Chunk compression (zstd level 1: cheap enough for a 2-core edge box)'),
  chunkSize: z.number().int().min(4096).default(4 << 20).describe('Uncompressed bytes per chunk: a crash loses at most the chunk being filled'),
  rotate: z
    .strictObject({
      maxBytes: z.number().int().min(1 << 20).optional().describe('Start a new file past this size'),
      every: duration.optional().describe('Start a new file after this long'),
    })
    .optional()
    .describe('Rotation: files become {path}.000.mcap, .001, … each a complete log'),
  downsample: z.number().int().min(1).max(64).default(1).describe('Area-average camera and depth frames by this factor before writing (lossy; 1 = off)'),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  device: z.strictObject({ id: level, site: level.default('default') }),
  sources: z.record(sourceId, z.looseObject({ driver: z.string().min(1) })).describe('Driver-specific options besides `driver`'),
  pipelines: z.record(level, pipelineSchema),
  outputs: z
    .strictObject({
      mqtt: mqttOutput.optional(),
      console: consoleOutput.default({ enabled: true, force: false }),
      record: recordOutput.optional().describe('Recording defaults for `sensorium record` (MCAP, see src/record/README.md)'),
    })
    .default({ console: { enabled: true, force: false } }),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .default({ enabled: true, host: '127.0.0.1', port: 9464 }),
  inference: z
    .strictObject({
      threads: z.number().int().min(1).max(16).default(1).describe('ORT intra-op threads per session (1 on ≤ 2 cores)'),
      nice: z
        .number()
        .int()
        .min(0)
        .max(19)
        .default(10)
        .describe('Scheduling niceness of the inference worker threads (Linux, per thread): under CPU contention the main thread — device I/O, alignment, MQTT keepalive — runs first. 0 = same as the main thread'),
      preprocessThreads: z
        .union([z.literal('auto'), z.number().int().min(0).max(8)])
        .default('auto')
        .describe("Helper threads per pipeline that preprocess some of a set's frames while the inference worker does the rest (0 = none; auto = 1 when 2+ cores are left to the rest of the process)"),
      cpus: z
        .union([z.enum(['none', 'auto']), z.array(z.number().int().min(0).max(4095)).min(1)])
        .default('none')
        .describe(
          'CPU pinning for a dedicated device (Linux, needs taskset from util-linux): the inference workers run on these CPUs and the main thread and the rest of the process on the others. auto = the last `threads` × pipelines CPUs, leaving at least one; none = let the scheduler decide',
        ),
    })
    .default({ threads: 1, nice: 10, preprocessThreads: 'auto', cpus: 'none' }),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
    .default({ level: 'info' }),
});

export type Config = z.infer<typeof configSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type InputConfig = z.infer<typeof inputSchema>;
export type MqttOutputConfig = z.infer<typeof mqttOutput>;
export type RecordOutputConfig = z.infer<typeof recordOutput>;
