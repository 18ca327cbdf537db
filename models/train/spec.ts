// Names and shapes of the reference model set, as fixed by CONTRACT.md (shared by the TS tools).
export const MODALITIES = ['camera', 'depth', 'lidar', 'eeg'] as const;
export type Modality = (typeof MODALITIES)[number];

export const LABELS = ['producing', 'unattended', 'manual', 'break'] as const;
export const HEADS = ['concat', 'weighted', 'attention'] as const;
export type HeadKind = (typeof HEADS)[number];
export const EMBEDDING_DIM = 64;

/** ONNX input name and per-sample shape of each encoder (batch dimension first, -1 = dynamic). */
export const ENCODER_INPUT: Record<Modality, { name: string; shape: number[] }> = {
  camera: { name: 'image', shape: [3, 60, 80] },
  depth: { name: 'depth', shape: [1, 60, 80] },
  lidar: { name: 'scan', shape: [1, 360] },
  eeg: { name: 'eeg', shape: [8, 250] },
};

export const embName = (m: Modality): string => `emb_${m}`;
