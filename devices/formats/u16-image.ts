/** Whether this machine stores multi-byte numbers little-endian (x86, ARM in Linux: yes). */
const HOST_LE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * 16-bit pixels from a byte buffer with a row stride: Z16 is little-endian (V4L2_PIX_FMT_Z16), ROS
 * images say so in `is_bigendian`. On a little-endian host with no row padding this is one memcpy
 * (byte copy into a fresh, aligned Uint16Array); otherwise a DataView walk per row.
 */
export function readU16Image(bytes: Uint8Array, width: number, height: number, stride: number, littleEndian = true): Uint16Array {
  const out = new Uint16Array(width * height);
  if (HOST_LE && littleEndian && stride === 2 * width) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, 2 * width * height));
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = dv.getUint16(y * stride + 2 * x, littleEndian);
  return out;
}

/** The inverse for encoders: pixels → little-endian bytes. */
export function writeU16Le(pixels: Uint16Array, into: Uint8Array, offset: number): void {
  if (HOST_LE) {
    into.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), offset);
    return;
  }
  const dv = new DataView(into.buffer, into.byteOffset + offset, pixels.length * 2);
  for (let i = 0; i < pixels.length; i++) dv.setUint16(2 * i, pixels[i]!, true);
}
