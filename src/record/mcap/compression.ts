import zstd from '@foxglove/wasm-zstd';
import { loadDecompressHandlers } from '@mcap/support';
import * as lz4 from 'lz4js';

/**
 * Chunk codecs. `@mcap/support` only decompresses, so compression comes from `@foxglove/wasm-zstd`
 * (zstd) or `lz4js` (pure JS, LZ4 frame format — what MCAP's `lz4` means). Node 20 has no built-in
 * zstd (notes/mqtt-ecosystem.md §5.1, pitfall 3).
 */
export type Compression = 'zstd' | 'lz4' | 'none';

export type ChunkCompressor = (data: Uint8Array) => { compression: string; compressedData: Uint8Array };

export type DecompressHandlers = Record<string, (buffer: Uint8Array, decompressedSize: bigint) => Uint8Array>;

/**
 * The compressor for `compression`. zstd level 1 by default: on a 2-core edge box the recorder
 * shares the main thread with alignment, and level 3 costs ~2–3× the CPU for ~10 % smaller files
 * on noisy camera frames (measured on simulator frames; see bench/record.ts).
 */
export async function chunkCompressor(compression: Compression, zstdLevel = 1): Promise<ChunkCompressor | undefined> {
  switch (compression) {
    case 'none':
      return undefined;
    case 'lz4':
      return (data) => ({ compression: 'lz4', compressedData: lz4.compress(data) });
    case 'zstd':
      await zstd.isLoaded;
      return (data) => ({ compression: 'zstd', compressedData: zstd.compress(data, zstdLevel) });
  }
}

let handlers: Promise<DecompressHandlers> | undefined;

/** zstd, lz4 and bz2 decompressors (WASM), loaded once. */
export function decompressHandlers(): Promise<DecompressHandlers> {
  handlers ??= loadDecompressHandlers() as Promise<DecompressHandlers>;
  return handlers;
}
