import { ModelError } from '../core/errors.ts';
import type { Modality } from '../core/sample.ts';
import type { InferenceBackend, InferenceSession, SessionOptions, TensorSpec } from './backend.ts';
import { loadManifest, readVerified, type HeadEntry, type Manifest, type ManifestTensorSpec, type ModelFileEntry } from './manifest.ts';

export interface ModelSetOptions {
  /** Which head to load (default: the manifest's `defaultHead`). `'*'` loads all heads. */
  head?: string;
  /** `int8` (default) runs the quantized encoders; `float` their float originals (evaluation). */
  precision?: 'int8' | 'float';
  /** Also load the evaluation baselines (single-modality and leave-one-out heads). */
  baselines?: boolean;
  session?: SessionOptions;
}

/**
 * A loaded model set: one encoder session per modality and the fusion head(s), every file checked
 * against the manifest (sha256, input/output names, dtypes, shapes) before first use.
 */
export class ModelSet {
  readonly manifest: Manifest;
  readonly dir: string;
  readonly head: string;
  readonly precision: 'int8' | 'float';
  readonly #encoders: Map<Modality, InferenceSession>;
  readonly #heads: Map<string, InferenceSession>;
  readonly #baselines: Map<string, InferenceSession>;

  private constructor(
    dir: string,
    manifest: Manifest,
    head: string,
    precision: 'int8' | 'float',
    encoders: Map<Modality, InferenceSession>,
    heads: Map<string, InferenceSession>,
    baselines: Map<string, InferenceSession>,
  ) {
    this.dir = dir;
    this.manifest = manifest;
    this.head = head;
    this.precision = precision;
    this.#encoders = encoders;
    this.#heads = heads;
    this.#baselines = baselines;
  }

  static async load(dir: string, backend: InferenceBackend, options: ModelSetOptions = {}): Promise<ModelSet> {
    const manifest = await loadManifest(dir);
    const precision = options.precision ?? 'int8';
    const headName = options.head ?? manifest.defaultHead;
    const headNames = headName === '*' ? Object.keys(manifest.heads) : [headName];
    for (const h of headNames) {
      if (!manifest.heads[h]) {
        throw new ModelError(`${dir}: head "${h}" not in manifest (have: ${Object.keys(manifest.heads).join(', ')})`, { file: dir });
      }
    }
    const open = async (entry: ModelFileEntry, inputs: readonly ManifestTensorSpec[], outputs: readonly ManifestTensorSpec[]): Promise<InferenceSession> => {
      const bytes = await readVerified(dir, entry);
      const session = await backend.createSession(bytes, entry.file, options.session);
      checkSignature(entry.file, session, inputs, outputs);
      return session;
    };
    const encoders = new Map<Modality, InferenceSession>();
    const heads = new Map<string, InferenceSession>();
    const baselines = new Map<string, InferenceSession>();
    try {
      for (const mod of manifest.modalities) {
        const enc = manifest.encoders[mod];
        if (!enc) continue;
        const file = precision === 'float' ? enc.float : enc;
        if (!file) throw new ModelError(`${dir}: encoders.${mod} has no float model`, { file: dir });
        encoders.set(mod, await open(file, [enc.input], [enc.output]));
      }
      for (const h of headNames) {
        const entry = manifest.heads[h] as HeadEntry;
        heads.set(h, await open(entry, entry.inputs, [entry.output]));
      }
      if (options.baselines && manifest.baselines) {
        for (const [kind, group] of Object.entries(manifest.baselines)) {
          for (const [mod, entry] of Object.entries(group ?? {})) {
            if (entry) baselines.set(`${kind}:${mod}`, await open(entry, entry.inputs, [entry.output]));
          }
        }
      }
    } catch (err) {
      await Promise.allSettled([...encoders.values(), ...heads.values(), ...baselines.values()].map((s) => s.release()));
      throw err;
    }
    return new ModelSet(dir, manifest, headNames[0] as string, precision, encoders, heads, baselines);
  }

  get labels(): readonly string[] {
    return this.manifest.labels;
  }

  get modalities(): readonly Modality[] {
    return this.manifest.modalities;
  }

  get embeddingDim(): number {
    return this.manifest.embeddingDim;
  }

  /** Runs one modality's encoder on `batch` preprocessed inputs laid end to end. */
  async encode(modality: Modality, input: Float32Array, batch = 1): Promise<Float32Array> {
    const session = this.#encoders.get(modality);
    const entry = this.manifest.encoders[modality];
    if (!session || !entry) throw new ModelError(`model set ${this.manifest.name} has no encoder for ${modality}`);
    const dims = [batch, ...entry.input.shape.slice(1)];
    const out = await session.run({ [entry.input.name]: { data: input, dims } });
    return (out[entry.output.name] as { data: Float32Array }).data;
  }

  /**
   * Fuses embeddings into class probabilities. `embeddings[m]` is `batch × embeddingDim` (or
   * undefined for a modality missing in every row); `mask` is `batch × modalities.length`,
   * 1 = present, 0 = missing.
   */
  async fuse(embeddings: Partial<Record<Modality, Float32Array>>, mask: Float32Array, batch = 1, head = this.head): Promise<Float32Array> {
    const session = this.#heads.get(head);
    const entry = this.manifest.heads[head];
    if (!session || !entry) throw new ModelError(`head "${head}" is not loaded`);
    return this.#runHead(session, entry, embeddings, mask, batch);
  }

  /** Evaluation baselines: `single:<m>` (one modality) or `without:<m>` (all but one). */
  async baseline(name: string, embeddings: Partial<Record<Modality, Float32Array>>, batch = 1): Promise<Float32Array> {
    const session = this.#baselines.get(name);
    const [kind, mod] = name.split(':') as ['single' | 'without', Modality];
    const entry = this.manifest.baselines?.[kind]?.[mod];
    if (!session || !entry) throw new ModelError(`baseline "${name}" is not loaded`);
    return this.#runHead(session, entry, embeddings, new Float32Array(batch * this.modalities.length).fill(1), batch);
  }

  async #runHead(session: InferenceSession, entry: HeadEntry, embeddings: Partial<Record<Modality, Float32Array>>, mask: Float32Array, batch: number): Promise<Float32Array> {
    const dim = this.manifest.embeddingDim;
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const input of entry.inputs) {
      if (input.name === 'mask') {
        feeds.mask = { data: mask, dims: [batch, this.modalities.length] };
        continue;
      }
      const mod = input.name.replace(/^emb_/, '') as Modality;
      const data = embeddings[mod] ?? new Float32Array(batch * dim);
      feeds[input.name] = { data, dims: [batch, dim] };
    }
    const out = await session.run(feeds);
    return (out[entry.output.name] as { data: Float32Array }).data;
  }

  async release(): Promise<void> {
    await Promise.allSettled([...this.#encoders.values(), ...this.#heads.values(), ...this.#baselines.values()].map((s) => s.release()));
  }
}

/** Compares what ORT reports about a model with what the manifest promises; names both on mismatch. */
function checkSignature(file: string, session: InferenceSession, inputs: readonly ManifestTensorSpec[], outputs: readonly ManifestTensorSpec[]): void {
  const check = (kind: 'input' | 'output', want: ManifestTensorSpec, have: readonly TensorSpec[]): void => {
    const got = have.find((s) => s.name === want.name);
    if (!got) {
      throw new ModelError(`${file}: manifest expects ${kind} "${want.name}" but the model has ${have.map((s) => `"${s.name}"`).join(', ')}`, { file, code: 'E_MODEL_SIGNATURE' });
    }
    if (got.dtype !== want.dtype) {
      throw new ModelError(`${file}: ${kind} "${want.name}" is ${got.dtype}, manifest expects ${want.dtype}`, { file, code: 'E_MODEL_SIGNATURE' });
    }
    const same =
      got.shape.length === want.shape.length &&
      want.shape.every((d, i) => {
        const g = got.shape[i];
        return d < 0 ? typeof g === 'string' || g === -1 : g === d;
      });
    if (!same) {
      throw new ModelError(`${file}: ${kind} "${want.name}" has shape [${got.shape.join(',')}], manifest expects [${want.shape.join(',')}]`, { file, code: 'E_MODEL_SIGNATURE' });
    }
  };
  for (const want of inputs) check('input', want, session.inputs);
  for (const want of outputs) check('output', want, session.outputs);
}
