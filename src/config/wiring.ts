import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DeviceDriver, SourceDescription } from '../core/device.ts';
import { ConfigError, SensoriumError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { Modality } from '../core/sample.ts';
import { parseDuration } from '../core/time.ts';
import { loadManifest, type Manifest } from '../inference/manifest.ts';
import type { Config, InputConfig, MqttOutputConfig } from './schema.ts';

export interface WiredSource {
  id: string;
  driver: DeviceDriver;
  options: unknown;
  description: SourceDescription;
}

export type WiredInput =
  | { modality: Modality; sourceId: string; policy: 'latest'; maxAgeNs: bigint; maxLatencyNs?: bigint }
  | { modality: Modality; sourceId: string; policy: 'window'; lengthNs: bigint; maxAgeNs: bigint; samples: number; maxLatencyNs?: bigint }
  | { modality: Modality; sourceId: string; policy: 'exact' | 'approximate'; deadlineNs: bigint; maxLatencyNs?: bigint; minPeriodNs?: bigint };

export interface WiredPipeline {
  name: string;
  modelDir: string;
  manifest: Manifest;
  head: string;
  precision: 'int8' | 'float';
  /** Absent for exact/approximate pipelines (they emit when a set is matched). */
  trigger?: { everyNs: bigint } | { on: string };
  maxIntervalNs?: bigint;
  agePenalty?: number;
  /** Fewest present inputs a set needs to be fused (see `minInputs`). */
  minInputs: number;
  inputs: WiredInput[];
}

export interface Wiring {
  config: Config;
  sources: Map<string, WiredSource>;
  pipelines: WiredPipeline[];
  mqtt: MqttOutputConfig | undefined;
}

function ns0(text: string, path: string): bigint {
  const v = parseDuration(text);
  if (v === undefined || v < 0n) throw new ConfigError(path, `expected a duration (got ${JSON.stringify(text)})`);
  return v;
}

function ns(text: string, path: string): bigint {
  const v = parseDuration(text);
  if (v === undefined || v <= 0n) throw new ConfigError(path, `expected a positive duration (got ${JSON.stringify(text)})`);
  return v;
}

/**
 * Validates the wiring of a parsed config against the registry **before anything opens**:
 * drivers exist and accept their options, inputs name existing sources of the right modality,
 * model sets exist and have encoders for every input. Every error names the config path.
 */
export async function wire(config: Config, registry: Registry, baseDir: string): Promise<Wiring> {
  const sources = new Map<string, WiredSource>();
  for (const [id, raw] of Object.entries(config.sources)) {
    const path = `sources.${id}`;
    const driver = registry.drivers.get(raw.driver);
    if (!driver) {
      throw new ConfigError(`${path}.driver`, `unknown driver ${JSON.stringify(raw.driver)}; available: ${[...registry.drivers.keys()].sort().join(', ')}`);
    }
    const { driver: _d, ...rest } = raw;
    const options = driver.parseOptions(rest, path);
    sources.set(id, { id, driver, options, description: driver.describe(options) });
  }

  const pipelines: WiredPipeline[] = [];
  for (const [name, p] of Object.entries(config.pipelines)) {
    const path = `pipelines.${name}`;
    const modelDir = resolve(baseDir, p.models);
    if (!existsSync(modelDir)) throw new ConfigError(`${path}.models`, `model directory not found: ${modelDir} (got ${JSON.stringify(p.models)})`);
    let manifest: Manifest;
    try {
      manifest = await loadManifest(modelDir);
    } catch (err) {
      throw new ConfigError(`${path}.models`, err instanceof SensoriumError ? err.message : String(err), { cause: err });
    }
    const head = p.head ?? manifest.defaultHead;
    if (!manifest.heads[head]) {
      throw new ConfigError(`${path}.head`, `unknown head ${JSON.stringify(head)}; the model set has ${Object.keys(manifest.heads).join(', ')}`);
    }
    const inputs: WiredInput[] = [];
    for (const [mod, input] of Object.entries(p.inputs) as [Modality, InputConfig][]) {
      const ipath = `${path}.inputs.${mod}`;
      const src = sources.get(input.source);
      if (!src) throw new ConfigError(`${ipath}.source`, `no source named ${JSON.stringify(input.source)}; sources are ${[...sources.keys()].join(', ')}`);
      if (src.description.modality !== mod) {
        throw new ConfigError(`${ipath}.source`, `source ${input.source} delivers ${src.description.modality}, not ${mod}`);
      }
      const enc = manifest.encoders[mod];
      if (!enc || !manifest.modalities.includes(mod)) {
        throw new ConfigError(`${ipath}`, `model set ${manifest.name} has no ${mod} encoder (it takes ${manifest.modalities.join(', ')})`);
      }
      const maxLatencyNs = input.maxLatency !== undefined ? { maxLatencyNs: ns0(input.maxLatency, `${ipath}.maxLatency`) } : {};
      if (input.policy === 'latest') {
        inputs.push({ modality: mod, sourceId: input.source, policy: 'latest', maxAgeNs: ns(input.maxAge, `${ipath}.maxAge`), ...maxLatencyNs });
      } else if (input.policy === 'window') {
        const lengthNs = ns(input.length, `${ipath}.length`);
        const samples = Number(enc.input.shape[enc.input.shape.length - 1]);
        if (src.description.kind !== 'eeg') throw new ConfigError(`${ipath}.policy`, `window needs a continuous (EEG) source; ${input.source} is ${src.description.kind}`);
        inputs.push({ modality: mod, sourceId: input.source, policy: 'window', lengthNs, maxAgeNs: ns(input.maxAge, `${ipath}.maxAge`), samples, ...maxLatencyNs });
      } else {
        const mp = (input as { minPeriod?: string }).minPeriod;
        const minPeriod = mp !== undefined ? { minPeriodNs: ns(mp, `${ipath}.minPeriod`) } : {};
        inputs.push({ modality: mod, sourceId: input.source, policy: input.policy, deadlineNs: ns(input.deadline, `${ipath}.deadline`), ...maxLatencyNs, ...minPeriod });
      }
    }
    if (inputs.length === 0) throw new ConfigError(`${path}.inputs`, 'a pipeline needs at least one input');
    const policies = new Set(inputs.map((i) => i.policy));
    const eventDriven = policies.has('exact') || policies.has('approximate');
    if (eventDriven && policies.size > 1) {
      throw new ConfigError(`${path}.inputs`, `exact/approximate match whole sets and cannot be mixed with other policies (got ${[...policies].join(', ')})`);
    }
    let trigger: WiredPipeline['trigger'];
    if (eventDriven) {
      if (p.trigger) throw new ConfigError(`${path}.trigger`, `${[...policies][0]} pipelines emit when a set is matched; remove the trigger`);
    } else if (!p.trigger) {
      throw new ConfigError(`${path}.trigger`, 'latest/window inputs need a trigger ({ every: 100ms } or { on: <source> })');
    } else if ('every' in p.trigger) {
      trigger = { everyNs: ns(p.trigger.every, `${path}.trigger.every`) };
    } else {
      if (!inputs.some((i) => i.sourceId === (p.trigger as { on: string }).on)) {
        throw new ConfigError(`${path}.trigger.on`, `${JSON.stringify(p.trigger.on)} is not one of this pipeline's input sources`);
      }
      trigger = { on: p.trigger.on };
    }
    if (p.maxInterval !== undefined && !policies.has('approximate')) throw new ConfigError(`${path}.maxInterval`, 'only approximate pipelines take maxInterval');
    if (p.minInputs > inputs.length) throw new ConfigError(`${path}.minInputs`, `${p.minInputs} is more than this pipeline's ${inputs.length} input${inputs.length === 1 ? '' : 's'}: no set could ever be fused`);
    pipelines.push({
      name,
      modelDir,
      manifest,
      head,
      precision: p.precision,
      ...(trigger ? { trigger } : {}),
      ...(p.maxInterval !== undefined ? { maxIntervalNs: ns(p.maxInterval, `${path}.maxInterval`) } : {}),
      ...(p.agePenalty !== undefined ? { agePenalty: p.agePenalty } : {}),
      minInputs: p.minInputs,
      inputs,
    });
  }
  if (pipelines.length === 0) throw new ConfigError('pipelines', 'at least one pipeline is required');

  const mqtt = config.outputs.mqtt;
  if (mqtt?.broker === 'external' && !mqtt.url) throw new ConfigError('outputs.mqtt.url', 'broker: external needs a url (mqtt://host:1883)');
  if (mqtt?.passwordEnv && process.env[mqtt.passwordEnv] === undefined) {
    throw new ConfigError('outputs.mqtt.passwordEnv', `environment variable ${mqtt.passwordEnv} is not set`);
  }
  return { config, sources, pipelines, mqtt };
}
