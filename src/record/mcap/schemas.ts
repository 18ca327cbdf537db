import * as foxglove from '@foxglove/schemas/jsonschema.js';
import { z } from 'zod';
import { resultPayload } from '../../publish/payload-schema.ts';

/**
 * The schemas a sensorium log uses. Sensor channels carry JSON with Foxglove's published schema
 * names and definitions (`@foxglove/schemas` jsonschema), so a recording opens in Foxglove and
 * Lichtblick with working Image and 3D panels; what replay needs beyond them (sequence is the MCAP
 * `sequence`, time of validity the MCAP `publish_time`, arrival the `log_time`) rides in an extra
 * `sensorium` object, which the Foxglove schemas allow (no `additionalProperties: false`).
 * EEG, ground truth and results have our own schemas, documented below and in src/record/README.md.
 */

export const SCHEMA = {
  rawImage: 'foxglove.RawImage',
  compressedImage: 'foxglove.CompressedImage',
  laserScan: 'foxglove.LaserScan',
  pointCloud: 'foxglove.PointCloud',
  eeg: 'sensorium.EegChunk',
  groundTruth: 'sensorium.GroundTruth',
  result: 'sensorium.Result',
} as const;

export type SchemaName = (typeof SCHEMA)[keyof typeof SCHEMA];

const time = {
  type: 'object',
  title: 'time',
  properties: { sec: { type: 'integer', minimum: 0 }, nsec: { type: 'integer', minimum: 0, maximum: 999_999_999 } },
};

/** `sensorium.EegChunk`: one chunk of multichannel EEG (Sample<'eeg'>), plottable per channel. */
export const EEG_CHUNK_SCHEMA = {
  title: SCHEMA.eeg,
  description:
    'A chunk of multichannel EEG in microvolts. samples[c][i] is channel c, sample i; sample i was taken at ' +
    'timestamp + i / rate_hz. first_sample_index counts samples since the stream began (a jump is a gap). ' +
    'Values are float32; non-finite values are written as 0 and listed in sensorium.special.',
  type: 'object',
  properties: {
    timestamp: { ...time, description: 'Time of validity of the first sample (host timeline)' },
    frame_id: { type: 'string', description: 'Source id' },
    rate_hz: { type: 'number', exclusiveMinimum: 0, description: 'Sampling rate per channel' },
    channels: { type: 'integer', minimum: 0, description: 'Number of channels (rows of samples)' },
    channel_names: { type: 'array', items: { type: 'string' }, description: 'Electrode names (10-20 system), when known' },
    first_sample_index: { type: 'integer', minimum: 0 },
    samples: { type: 'array', items: { type: 'array', items: { type: 'number' } }, description: 'Per channel, µV' },
  },
  required: ['timestamp', 'frame_id', 'rate_hz', 'channels', 'first_sample_index', 'samples'],
} as const;

/** `sensorium.GroundTruth`: the label in force from `timestamp` on (simulator logs). */
export const GROUND_TRUTH_SCHEMA = {
  title: SCHEMA.groundTruth,
  description: 'Ground-truth label from timestamp on. change=false marks the state at the start of a recording.',
  type: 'object',
  properties: {
    timestamp: time,
    key: { type: 'string', description: 'What produced the truth, e.g. "sim/cell seed=7"' },
    label: { type: 'string' },
    index: { type: 'integer', minimum: 0 },
    labels: { type: 'array', items: { type: 'string' } },
    change: { type: 'boolean' },
  },
  required: ['timestamp', 'key', 'label', 'index', 'labels', 'change'],
} as const;

let cached: Map<string, Uint8Array> | undefined;

/** Schema record data (UTF-8 JSON Schema) by schema name. */
export function schemaData(name: SchemaName): Uint8Array {
  cached ??= new Map<string, Uint8Array>([
    [SCHEMA.rawImage, json(foxglove.RawImage)],
    [SCHEMA.compressedImage, json(foxglove.CompressedImage)],
    [SCHEMA.laserScan, json(foxglove.LaserScan)],
    [SCHEMA.pointCloud, json(foxglove.PointCloud)],
    [SCHEMA.eeg, json(EEG_CHUNK_SCHEMA)],
    [SCHEMA.groundTruth, json(GROUND_TRUTH_SCHEMA)],
    [SCHEMA.result, json({ title: SCHEMA.result, ...z.toJSONSchema(resultPayload, { io: 'output', unrepresentable: 'any' }) })],
  ]);
  return cached.get(name) as Uint8Array;
}

function json(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v));
}

/** Topic of a sensor channel: `/{source}/{suffix}` as Foxglove users expect (ROS-like names). */
export function sensorTopic(sourceId: string, schema: SchemaName): string {
  const suffix: Partial<Record<SchemaName, string>> = {
    [SCHEMA.rawImage]: 'image',
    [SCHEMA.compressedImage]: 'image/compressed',
    [SCHEMA.laserScan]: 'scan',
    [SCHEMA.pointCloud]: 'points',
    [SCHEMA.eeg]: 'eeg',
  };
  return `/${sourceId}/${suffix[schema] ?? 'data'}`;
}

export const RESULTS_TOPIC_PREFIX = '/sensorium/results/';
export const GROUND_TRUTH_TOPIC = '/sensorium/ground_truth';

/** Channel metadata keys of sensor channels. */
export const META = {
  source: 'sensorium.source',
  kind: 'sensorium.kind',
  description: 'sensorium.description',
  pipeline: 'sensorium.pipeline',
} as const;

/** Name of the MCAP metadata record describing the log, and the format version it carries. */
export const LOG_METADATA = 'sensorium';
export const LOG_FORMAT = 'sensorium.log/1';
