// Minimal reader for the little-endian `.npy` v1/v2 files of CONTRACT.md (f4 and i8, C order).
// Only what the training tools need; the dataset writer lives in export-dataset.ts.
import { readFileSync } from 'node:fs';

export type NpyArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'int64'; shape: number[]; data: BigInt64Array };

const MAGIC = '\x93NUMPY';

export function parseNpy(buf: Uint8Array, what = 'npy'): NpyArray {
  const head = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 12));
  if (head.toString('latin1', 0, 6) !== MAGIC) throw new Error(`${what}: not a .npy file`);
  const major = head[6] ?? 0;
  const headerLen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(buf.buffer, buf.byteOffset + start, headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${what}: bad header ${header}`);
  if (fortran === 'True') throw new Error(`${what}: fortran order not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  // Copy into a fresh, aligned buffer (file buffers can start at any byte offset).
  // (Buffer#slice is a view, so copy explicitly with the Uint8Array constructor.)
  const body = new Uint8Array(buf.subarray(offset, offset + count * (descr === '<i8' ? 8 : 4)));
  if (descr === '<f4') return { dtype: 'float32', shape, data: new Float32Array(body.buffer, body.byteOffset, count) };
  if (descr === '<i8') return { dtype: 'int64', shape, data: new BigInt64Array(body.buffer, body.byteOffset, count) };
  throw new Error(`${what}: dtype ${descr} not supported (want <f4 or <i8)`);
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

export function readF32(path: string): { shape: number[]; data: Float32Array } {
  const a = readNpy(path);
  if (a.dtype !== 'float32') throw new Error(`${path}: expected float32, got ${a.dtype}`);
  return a;
}

export function readLabels(path: string): Int32Array {
  const a = readNpy(path);
  if (a.dtype !== 'int64') throw new Error(`${path}: expected int64 labels, got ${a.dtype}`);
  return Int32Array.from(a.data, (v) => Number(v));
}
