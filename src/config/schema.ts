import { z } from 'zod';
import { MODALITIES, type Modality } from '../core/sample.ts';

/**
 * The one config schema: parsed once at the boundary, yielding the TypeScript type and the JSON
 * Schema published in `deploy/schema/config.schema.json` (editors validate YAML with it).
 * Durations are strings (`100ms`, `1s`) so the YAML reads like the docs.
 */

const DURATION_RE = /^\s*\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h)\s*$/;
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
  inputs: z.partialRecord(modality, inputSchema),
});

const mqttOutput = z.strictObject({
  broker: z.enum(['embedded', 'external']).default('embedded').describe('embedded: aedes in-process (MQTT 3.1.1); external: your broker at `url`'),
  url: z.string().optional().describe('mqtt://host:1883 or mqtts://… (broker: external)'),
  host: z.string().default('127.0.0.1').describe('Embedded broker listen address'),
  port: z.number().int().min(0).max(65535).default(1883).describe('Embedded broker port (0 = any free port)'),
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

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  device: z.strictObject({ id: level, site: level.default('default') }),
  sources: z.record(sourceId, z.looseObject({ driver: z.string().min(1) })).describe('Driver-specific options besides `driver`'),
  pipelines: z.record(level, pipelineSchema),
  outputs: z
    .strictObject({
      mqtt: mqttOutput.optional(),
      console: consoleOutput.default({ enabled: true, force: false }),
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
    .strictObject({ threads: z.number().int().min(1).max(16).default(1).describe('ORT intra-op threads per session (1 on ≤ 2 cores)') })
    .default({ threads: 1 }),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
    .default({ level: 'info' }),
});

export type Config = z.infer<typeof configSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type InputConfig = z.infer<typeof inputSchema>;
export type MqttOutputConfig = z.infer<typeof mqttOutput>;
