import { open } from 'node:fs/promises';

/** Random access to a log's bytes: a file, or memory (tests, recovered data). */
export interface ByteSource {
  readonly label: string;
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function memorySource(bytes: Uint8Array, label = 'memory'): ByteSource {
  return {
    label,
    size: bytes.byteLength,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.byteLength, offset + length))),
    close: () => Promise.resolve(),
  };
}

export async function fileSource(path: string): Promise<ByteSource> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    label: path,
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? buf : buf.subarray(0, done);
    },
    close: () => fh.close(),
  };
}
