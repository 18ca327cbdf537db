import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { ModelError } from '../core/errors.ts';
import { MODALITIES, type Modality } from '../core/sample.ts';

/**
 * `manifest.json` of a model set (models/train/CONTRACT.md): what each file is, its sha256, its
 * inputs and outputs, how its input is preprocessed, and the class labels.
 */

const tensorSpec = z.object({
  name: z.string().min(1),
  dtype: z.string().min(1),
  shape: z.array(z.number().int()),
});

const modelFile = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
});

const preprocessSpec = z.looseObject({ op: z.string().min(1) });

const encoderEntry = modelFile.extend({
  precision: z.enum(['int8', 'float']),
  input: tensorSpec,
  output: tensorSpec,
  preprocess: preprocessSpec,
  float: modelFile.optional(),
});

const headEntry = modelFile.extend({
  inputs: z.array(tensorSpec).min(1),
  output: tensorSpec,
});

const modalityEnum = z.enum(MODALITIES as [Modality, ...Modality[]]);

export const manifestSchema = z.object({
  format: z.literal('sensorium.modelset/1'),
  name: z.string().min(1),
  version: z.string().min(1),
  labels: z.array(z.string().min(1)).min(2),
  modalities: z.array(modalityEnum).min(1),
  embeddingDim: z.number().int().positive(),
  defaultHead: z.string().min(1),
  encoders: z.partialRecord(modalityEnum, encoderEntry),
  heads: z.record(z.string(), headEntry),
  baselines: z
    .object({
      single: z.partialRecord(modalityEnum, headEntry).optional(),
      without: z.partialRecord(modalityEnum, headEntry).optional(),
    })
    .optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type EncoderEntry = z.infer<typeof encoderEntry>;
export type HeadEntry = z.infer<typeof headEntry>;
export type ModelFileEntry = z.infer<typeof modelFile>;
export type ManifestTensorSpec = z.infer<typeof tensorSpec>;
export type PreprocessSpec = z.infer<typeof preprocessSpec>;

/** Reads and validates `<dir>/manifest.json`. Errors name the file and the offending field. */
export async function loadManifest(dir: string): Promise<Manifest> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelError(`${path}: cannot read the model manifest (${(err as NodeJS.ErrnoException).code ?? err})`, {
      cause: err,
      file: path,
      code: 'E_MODEL_MISSING',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${path}: not valid JSON: ${(err as Error).message}`, { cause: err, file: path });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new ModelError(`${path}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid manifest'}`, { file: path });
  }
  const m = parsed.data;
  for (const mod of m.modalities) {
    if (!m.encoders[mod]) throw new ModelError(`${path}: encoders.${mod} missing but listed in modalities`, { file: path });
  }
  if (!m.heads[m.defaultHead]) {
    throw new ModelError(`${path}: defaultHead "${m.defaultHead}" is not one of heads (${Object.keys(m.heads).join(', ')})`, { file: path });
  }
  return m;
}

/**
 * Reads a model file and checks its sha256 against the manifest, so what is loaded is exactly what
 * was evaluated. Returns the bytes (hash and load read the same buffer).
 */
export async function readVerified(dir: string, entry: ModelFileEntry): Promise<Uint8Array> {
  const path = join(dir, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelError(`${relative(process.cwd(), path)}: model file missing (listed in manifest.json)`, {
      cause: err,
      file: path,
      code: 'E_MODEL_MISSING',
    });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== entry.sha256) {
    throw new ModelError(
      `${relative(process.cwd(), path)}: sha256 ${actual} does not match manifest.json (expected ${entry.sha256}); the file changed after the model set was built`,
      { file: path, code: 'E_MODEL_HASH' },
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
