import type { DepthFrame } from '../../src/core/index.ts';
import { boxMap } from './box-map.ts';
import { inputError, preprocessor, type Preprocessor } from './preprocessor.ts';
import type { DepthSpec } from './spec.ts';

/**
 * Depth frames → `[1, height, width]`: per output cell, the mean of the **valid** (non-zero) depth
 * values in metres, divided by `maxRangeM`; 0 where no pixel of the cell is valid (CONTRACT.md).
 * Invalid pixels must not drag a cell towards the camera, which is why they are excluded rather
 * than averaged in as zeros. Values beyond `maxRangeM` are kept (> 1): the contract does not clip.
 */
export function createDepthPreprocessor(spec: DepthSpec): Preprocessor<DepthFrame> {
  const { width: ow, height: oh } = spec;
  const sum = new Float64Array(ow * oh);
  const count = new Int32Array(ow * oh);
  return preprocessor<DepthFrame>(spec, [1, oh, ow], (frame, out) => {
    const { width: w, height: h, data } = frame;
    if (w < ow || h < oh) throw inputError(spec, `frame ${w}×${h} is smaller than the model input ${ow}×${oh}`);
    if (data.length < w * h) throw inputError(spec, `Z16 ${w}×${h} needs ${w * h} values, got ${data.length}`);
    if (!(frame.unitM > 0)) throw inputError(spec, `unitM must be > 0, got ${frame.unitM}`);
    const cols = boxMap(w, ow);
    const rows = boxMap(h, oh);
    sum.fill(0);
    count.fill(0);
    if (cols.factor > 0) {
      // Integer column factor (640 → 80): sum runs of `f` pixels before touching the accumulators.
      const f = cols.factor;
      for (let y = 0; y < h; y++) {
        const base = (rows.map[y] as number) * ow;
        let i = y * w;
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          let n = 0;
          for (let k = 0; k < f; k++) {
            const d = data[i++] as number;
            s += d;
            n += d === 0 ? 0 : 1;
          }
          sum[base + ox] = (sum[base + ox] as number) + s;
          count[base + ox] = (count[base + ox] as number) + n;
        }
      }
    } else {
      for (let y = 0; y < h; y++) {
        const base = (rows.map[y] as number) * ow;
        for (let x = 0; x < w; x++) {
          const d = data[y * w + x] as number;
          if (d === 0) continue;
          const o = base + (cols.map[x] as number);
          sum[o] = (sum[o] as number) + d;
          count[o] = (count[o] as number) + 1;
        }
      }
    }
    const k = frame.unitM / spec.maxRangeM;
    for (let o = 0; o < ow * oh; o++) {
      const n = count[o] as number;
      out[o] = n === 0 ? 0 : ((sum[o] as number) / n) * k;
    }
  });
}
