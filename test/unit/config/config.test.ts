import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, parseYaml } from '../../../src/config/load.ts';
import { wire } from '../../../src/config/wiring.ts';
import type { DeviceDriver } from '../../../src/core/device.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import type { Registry } from '../../../src/core/registry.ts';

// A fake driver: the seam under test is config validation, not devices.
const fakeDriver: DeviceDriver<{ sensor: string }> = {
  name: 'fake',
  parseOptions(raw, path) {
    const r = raw as { sensor?: unknown };
    if (r.sensor !== 'camera' && r.sensor !== 'eeg') throw new ConfigError(`${path}.sensor`, `expected camera or eeg (got ${JSON.stringify(r.sensor)})`);
    return { sensor: r.sensor };
  },
  describe: (o) => (o.sensor === 'eeg' ? { kind: 'eeg', modality: 'eeg', nominalHz: 25, bytesPerSample: 320 } : { kind: 'image', modality: 'camera', nominalHz: 30, bytesPerSample: 921600 }),
  list: async () => ({ devices: [], problems: [] }),
  open: async () => {
    throw new Error('not in this test');
  },
};
const registry: Registry = { drivers: new Map([['fake', fakeDriver as DeviceDriver]]), preprocessModule: '', version: '0.0.0' };

function modelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-manifest-'));
  const t = (name: string, shape: number[]) => ({ name, dtype: 'float32', shape });
  const sha = 'a'.repeat(64);
  const manifest = {
    format: 'sensorium.modelset/1',
    name: 'm',
    version: '1',
    labels: ['a', 'b'],
    modalities: ['camera', 'eeg'],
    embeddingDim: 4,
    defaultHead: 'concat',
    encoders: {
      camera: { file: 'c.onnx', sha256: sha, precision: 'int8', input: t('image', [-1, 3, 2, 2]), output: t('emb', [-1, 4]), preprocess: { op: 'image' } },
      eeg: { file: 'e.onnx', sha256: sha, precision: 'int8', input: t('eeg', [-1, 2, 250]), output: t('emb', [-1, 4]), preprocess: { op: 'eeg' } },
    },
    heads: { concat: { file: 'h.onnx', sha256: sha, inputs: [t('emb_camera', [-1, 4])], output: t('probs', [-1, 2]) } },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const base = () => ({
  device: { id: 'cell-01', site: 'lab' },
  sources: { cam0: { driver: 'fake', sensor: 'camera' }, eeg0: { driver: 'fake', sensor: 'eeg' } },
  pipelines: {
    p: {
      models: modelDir(),
      trigger: { every: '100ms' },
      inputs: { camera: { source: 'cam0', policy: 'latest', maxAge: '70ms' }, eeg: { source: 'eeg0', policy: 'window', length: '1s' } },
    },
  },
});

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};
const configErrorAsync = async (p: Promise<unknown>): Promise<ConfigError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('config schema', () => {
  it('accepts a valid config and fills defaults', () => {
    const c = parseConfig(base());
    expect(c.metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
    expect(c.pipelines.p?.precision).toBe('int8');
    expect(c.pipelines.p?.inputs.eeg).toMatchObject({ policy: 'window', maxAge: '200ms' });
  });

  it('names the path and the bad value', () => {
    const c = base();
    (c.pipelines.p.inputs.camera as { maxAge: string }).maxAge = 'soon';
    const err = configError(() => parseConfig(c));
    expect(err.path).toBe('pipelines.p.inputs.camera.maxAge');
    expect(err.message).toContain('"soon"');
  });

  it('rejects unknown keys (typos) by name', () => {
    const c = { ...base(), metrcs: { port: 1 } };
    const err = configError(() => parseConfig(c));
    expect(err.message).toContain('"metrcs"');
  });

  it('reports YAML syntax errors', () => {
    expect(() => parseYaml('a: [1, 2', 'x.yaml')).toThrow(/x.yaml: YAML syntax error/);
  });

  it('rejects topic levels that are not MQTT-safe', () => {
    const c = base();
    c.device.site = 'Lab 1';
    expect(configError(() => parseConfig(c)).path).toBe('device.site');
  });
});

describe('wiring', () => {
  it('resolves a valid config', async () => {
    const w = await wire(parseConfig(base()), registry, '/');
    expect(w.pipelines[0]?.inputs).toEqual([
      { modality: 'camera', sourceId: 'cam0', policy: 'latest', maxAgeNs: 70_000_000n },
      { modality: 'eeg', sourceId: 'eeg0', policy: 'window', lengthNs: 1_000_000_000n, maxAgeNs: 200_000_000n, samples: 250 },
    ]);
  });

  it.each([
    ['unknown driver', (c: ReturnType<typeof base>) => void ((c.sources.cam0 as { driver: string }).driver = 'nope'), 'sources.cam0.driver', /available: fake/],
    ['driver options', (c: ReturnType<typeof base>) => void ((c.sources.cam0 as { sensor: string }).sensor = 'radar'), 'sources.cam0.sensor', /"radar"/],
    ['unknown source', (c: ReturnType<typeof base>) => void (c.pipelines.p.inputs.camera.source = 'cam9'), 'pipelines.p.inputs.camera.source', /cam9/],
    ['wrong modality', (c: ReturnType<typeof base>) => void (c.pipelines.p.inputs.camera.source = 'eeg0'), 'pipelines.p.inputs.camera.source', /delivers eeg/],
    ['missing models', (c: ReturnType<typeof base>) => void (c.pipelines.p.models = '/nonexistent'), 'pipelines.p.models', /not found/],
    ['unknown head', (c: ReturnType<typeof base>) => void ((c.pipelines.p as { head?: string }).head = 'mlp'), 'pipelines.p.head', /concat/],
  ])('%s', async (_name, mutate, path, message) => {
    const c = base();
    mutate(c);
    const err = await configErrorAsync(wire(parseConfig(c), registry, '/'));
    expect(err.path).toBe(path);
    expect(err.message).toMatch(message);
  });
});
