import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/core/errors.ts';
import type { Manifest } from '../../../src/inference/manifest.ts';
import { ModelSet } from '../../../src/inference/model-set.ts';
import { OnnxBackend } from '../../../src/inference/onnx-backend.ts';

/** Bad model sets must fail with a ModelError that names the file and what was expected. */
const REF = 'models/reference';
let dir: string;

function copyRef(): string {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-models-'));
  cpSync(REF, dir, { recursive: true });
  return dir;
}
const manifestOf = (d: string): Manifest => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as Manifest;
const writeManifest = (d: string, m: Manifest): void => writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));

async function loadError(d: string): Promise<ModelError> {
  try {
    const set = await ModelSet.load(d, new OnnxBackend());
    await set.release();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }
  throw new Error('expected a ModelError');
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('model set validation', () => {
  it('loads the committed set (control)', async () => {
    const set = await ModelSet.load(copyRef(), new OnnxBackend());
    expect(set.labels).toEqual(['producing', 'unattended', 'manual', 'break']);
    await set.release();
  });

  it('a file whose sha256 differs from the manifest', async () => {
    const d = copyRef();
    const file = join(d, manifestOf(d).encoders.eeg!.file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const err = await loadError(d);
    expect(err.code).toBe('E_MODEL_HASH');
    expect(err.message).toContain('enc_eeg.int8.onnx');
    expect(err.message).toMatch(/expected [0-9a-f]{64}/);
  });

  it('a missing file', async () => {
    const d = copyRef();
    rmSync(join(d, manifestOf(d).heads.attention!.file));
    const err = await loadError(d);
    expect(err.code).toBe('E_MODEL_MISSING');
    expect(err.message).toContain('head_attention.onnx');
  });

  it('a shape mismatch names the input and both shapes', async () => {
    const d = copyRef();
    const m = manifestOf(d);
    m.encoders.camera!.input.shape = [-1, 3, 96, 96];
    writeManifest(d, m);
    const err = await loadError(d);
    expect(err.code).toBe('E_MODEL_SIGNATURE');
    expect(err.message).toMatch(/enc_camera\.int8\.onnx: input "image" has shape \[.*60,80\], manifest expects \[-1,3,96,96\]/);
  });

  it('a dtype mismatch', async () => {
    const d = copyRef();
    const m = manifestOf(d);
    m.encoders.lidar!.input.dtype = 'float16';
    writeManifest(d, m);
    const err = await loadError(d);
    expect(err.message).toMatch(/enc_lidar\.int8\.onnx: input "scan" is float32, manifest expects float16/);
  });

  it('a renamed output', async () => {
    const d = copyRef();
    const m = manifestOf(d);
    m.heads.attention!.output.name = 'logits';
    writeManifest(d, m);
    expect((await loadError(d)).message).toMatch(/head_attention\.onnx: manifest expects output "logits" but the model has "probs"/);
  });

  it('bytes that are not an ONNX model (hash updated to match)', async () => {
    const d = copyRef();
    const m = manifestOf(d);
    const garbage = Buffer.from('definitely not protobuf');
    writeFileSync(join(d, m.encoders.depth!.file), garbage);
    m.encoders.depth!.sha256 = createHash('sha256').update(garbage).digest('hex');
    writeManifest(d, m);
    const err = await loadError(d);
    expect(err.code).toBe('E_MODEL_LOAD');
    expect(err.message).toContain('enc_depth.int8.onnx');
  });

  it('a manifest that is not valid', async () => {
    const d = copyRef();
    const m = manifestOf(d) as unknown as Record<string, unknown>;
    delete m.labels;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    expect((await loadError(d)).message).toMatch(/manifest\.json: labels/);
  });
});
