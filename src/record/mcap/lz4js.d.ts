// lz4js 0.2 ships no types. Only the frame-format entry points are used (MCAP's `lz4` is the LZ4
// frame format, spec registry "Compression").
declare module 'lz4js' {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
