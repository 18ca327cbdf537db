import { boxMap } from './box-map.ts';

/**
 * Means of `ch`-channel interleaved 8-bit pixels over the output grid's boxes, into `dst`
 * (outH × outW × ch, interleaved). Integer factors (640×480 → 80×60 is 8×8) take a fast path:
 * integer sums, no index maps, one pass over the bytes.
 */
export function blockMeans(src: Uint8Array, offset: number, w: number, h: number, ch: number, outW: number, outH: number, dst: Float64Array): void {
  const cols = boxMap(w, outW);
  const rows = boxMap(h, outH);
  const fx = cols.factor;
  const fy = rows.factor;
  if (ch === 3 && fx % 4 === 0 && fx > 0 && fy > 0 && (fx / 4) * fy <= 128 && (src.byteOffset + offset) % 4 === 0 && LITTLE_ENDIAN) {
    rgbWordMeans(src, offset, w, outW, outH, fx, fy, dst);
    return;
  }
  if (fx > 0 && fy > 0 && (ch === 1 || ch === 3)) {
    fastMeans(src, offset, w, ch, outW, outH, fx, fy, dst);
    return;
  }
  dst.fill(0);
  const cm = cols.map;
  for (let y = 0; y < h; y++) {
    const base = (rows.map[y] as number) * outW;
    let i = offset + y * w * ch;
    for (let x = 0; x < w; x++) {
      const o = (base + (cm[x] as number)) * ch;
      for (let c = 0; c < ch; c++) dst[o + c] = (dst[o + c] as number) + (src[i++] as number);
    }
  }
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const n = (rows.size[oy] as number) * (cols.size[ox] as number);
      const o = (oy * outW + ox) * ch;
      for (let c = 0; c < ch; c++) dst[o + c] = (dst[o + c] as number) / n;
    }
  }
}

const scratch = new Map<number, Int32Array>();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const M = 0x00ff00ff;

/**
 * rgb24 with a box width that is a multiple of 4 pixels (= 3 words): sums bytes two at a time in
 * the 16-bit lanes of 32-bit words (SWAR), 4 pixels per 3 loads. Words of a 4-pixel group hold
 * R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3 (little-endian), so the even/odd byte lanes of word
 * types 0, 1, 2 map to channels as unpacked below. Lanes never overflow: at most 2·(fx/4)·fy
 * bytes of ≤ 255 each (< 65 536 while (fx/4)·fy ≤ 128, checked by the caller).
 */
function rgbWordMeans(src: Uint8Array, offset: number, w: number, outW: number, outH: number, fx: number, fy: number, dst: Float64Array): void {
  const words = new Uint32Array(src.buffer, src.byteOffset + offset, (w * outH * fy * 3) >> 2);
  let acc = scratch.get(-outW);
  if (!acc) {
    acc = new Int32Array(outW * 6);
    scratch.set(-outW, acc);
  }
  const rowWords = (w * 3) >> 2;
  const groups = fx >> 2;
  const inv = 1 / (fx * fy);
  for (let oy = 0; oy < outH; oy++) {
    acc.fill(0);
    for (let y = oy * fy; y < (oy + 1) * fy; y++) {
      let i = y * rowWords;
      for (let ox = 0; ox < outW; ox++) {
        let e0 = 0, o0 = 0, e1 = 0, o1 = 0, e2 = 0, o2 = 0;
        for (let g = 0; g < groups; g++, i += 3) {
          const a0 = words[i] as number;
          const a1 = words[i + 1] as number;
          const a2 = words[i + 2] as number;
          e0 += a0 & M;
          o0 += (a0 >>> 8) & M;
          e1 += a1 & M;
          o1 += (a1 >>> 8) & M;
          e2 += a2 & M;
          o2 += (a2 >>> 8) & M;
        }
        const o = 6 * ox;
        acc[o] = (acc[o] as number) + e0;
        acc[o + 1] = (acc[o + 1] as number) + o0;
        acc[o + 2] = (acc[o + 2] as number) + e1;
        acc[o + 3] = (acc[o + 3] as number) + o1;
        acc[o + 4] = (acc[o + 4] as number) + e2;
        acc[o + 5] = (acc[o + 5] as number) + o2;
      }
    }
    for (let ox = 0; ox < outW; ox++) {
      const o = 6 * ox;
      const e0 = acc[o] as number, o0 = acc[o + 1] as number, e1 = acc[o + 2] as number;
      const o1 = acc[o + 3] as number, e2 = acc[o + 4] as number, o2 = acc[o + 5] as number;
      const d = (oy * outW + ox) * 3;
      dst[d] = ((e0 & 0xffff) + (o0 >>> 16) + (e1 >>> 16) + (o2 & 0xffff)) * inv;
      dst[d + 1] = ((o0 & 0xffff) + (e1 & 0xffff) + (o1 >>> 16) + (e2 >>> 16)) * inv;
      dst[d + 2] = ((e0 >>> 16) + (o1 & 0xffff) + (e2 & 0xffff) + (o2 >>> 16)) * inv;
    }
  }
}

function fastMeans(src: Uint8Array, offset: number, w: number, ch: number, outW: number, outH: number, fx: number, fy: number, dst: Float64Array): void {
  let acc = scratch.get(outW * ch);
  if (!acc) {
    acc = new Int32Array(outW * ch);
    scratch.set(outW * ch, acc);
  }
  const inv = 1 / (fx * fy);
  const rowBytes = w * ch;
  for (let oy = 0; oy < outH; oy++) {
    acc.fill(0);
    for (let y = oy * fy; y < (oy + 1) * fy; y++) {
      let i = offset + y * rowBytes;
      if (ch === 3) {
        for (let ox = 0; ox < outW; ox++) {
          let r = 0;
          let g = 0;
          let b = 0;
          for (let k = 0; k < fx; k++, i += 3) {
            r += src[i] as number;
            g += src[i + 1] as number;
            b += src[i + 2] as number;
          }
          acc[3 * ox] = (acc[3 * ox] as number) + r;
          acc[3 * ox + 1] = (acc[3 * ox + 1] as number) + g;
          acc[3 * ox + 2] = (acc[3 * ox + 2] as number) + b;
        }
      } else {
        for (let ox = 0; ox < outW; ox++) {
          let v = 0;
          for (let k = 0; k < fx; k++) v += src[i++] as number;
          acc[ox] = (acc[ox] as number) + v;
        }
      }
    }
    const o = oy * outW * ch;
    for (let k = 0; k < outW * ch; k++) dst[o + k] = (acc[k] as number) * inv;
  }
}
