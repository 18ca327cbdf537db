import type { ImageFrame } from '../../src/core/index.ts';
import { blockMeans } from './block-means.ts';
import { decodeJpeg } from './jpeg.ts';
import { inputError, preprocessor, type Preprocessor } from './preprocessor.ts';
import type { ImageSpec } from './spec.ts';

/**
 * Camera frames → `[3, height, width]`: box-average each output cell (640×480 → 80×60 is 8×8),
 * then `(x/255 − mean[c]) / std[c]` (CONTRACT.md). Takes `rgb24`, `gray8` (replicated to three
 * channels) and `i420` (BT.601 limited range; Y, U, V are averaged first and converted after —
 * exact because the conversion is affine, except where it clips) and `jpeg` (decoded here, in the
 * inference worker, only for frames a fusion uses).
 */
export function createImagePreprocessor(spec: ImageSpec): Preprocessor<ImageFrame> {
  const { width: ow, height: oh } = spec;
  const plane = ow * oh;
  const rgb = new Float64Array(plane * 3);
  const y = new Float64Array(plane);
  const u = new Float64Array(plane);
  const v = new Float64Array(plane);
  const scale = spec.std.map((s) => 1 / (255 * s));
  const shift = spec.mean.map((m, c) => -m / (spec.std[c] as number));
  return preprocessor<ImageFrame>(spec, [3, oh, ow], (input, out) => {
    const frame = input.format === 'jpeg' ? jpegAsRgb(spec, input) : input;
    const { width: w, height: h, data } = frame;
    if (w < ow || h < oh) throw inputError(spec, `frame ${w}×${h} is smaller than the model input ${ow}×${oh}`);
    switch (frame.format) {
      case 'rgb24':
        expectBytes(spec, data, w * h * 3, frame);
        blockMeans(data, 0, w, h, 3, ow, oh, rgb);
        break;
      case 'gray8':
        expectBytes(spec, data, w * h, frame);
        blockMeans(data, 0, w, h, 1, ow, oh, y);
        for (let k = 0; k < plane; k++) rgb[3 * k] = rgb[3 * k + 1] = rgb[3 * k + 2] = y[k] as number;
        break;
      case 'i420': {
        if (w % 2 !== 0 || h % 2 !== 0) throw inputError(spec, `i420 needs even dimensions, got ${w}×${h}`);
        const cw = w / 2;
        const chh = h / 2;
        expectBytes(spec, data, w * h + 2 * cw * chh, frame);
        blockMeans(data, 0, w, h, 1, ow, oh, y);
        blockMeans(data, w * h, cw, chh, 1, ow, oh, u);
        blockMeans(data, w * h + cw * chh, cw, chh, 1, ow, oh, v);
        for (let k = 0; k < plane; k++) {
          const yy = 1.164 * ((y[k] as number) - 16);
          const uu = (u[k] as number) - 128;
          const vv = (v[k] as number) - 128;
          rgb[3 * k] = clamp255(yy + 1.596 * vv);
          rgb[3 * k + 1] = clamp255(yy - 0.392 * uu - 0.813 * vv);
          rgb[3 * k + 2] = clamp255(yy + 2.017 * uu);
        }
        break;
      }
      default:
        throw inputError(spec, `unsupported image format ${JSON.stringify(frame.format)} (want rgb24, gray8, i420 or jpeg)`);
    }
    for (let c = 0; c < 3; c++) {
      const sc = scale[c] as number;
      const sh = shift[c] as number;
      const o = c * plane;
      for (let k = 0; k < plane; k++) out[o + k] = (rgb[3 * k + c] as number) * sc + sh;
    }
  });
}

/** The JPEG decoded to an rgb24 frame; its own header's size wins over the sample's. */
function jpegAsRgb(spec: ImageSpec, frame: ImageFrame): ImageFrame {
  try {
    const img = decodeJpeg(frame.data);
    return { width: img.width, height: img.height, format: 'rgb24', data: img.data };
  } catch (err) {
    throw inputError(spec, `jpeg frame (${frame.data.length} bytes) does not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function expectBytes(spec: ImageSpec, data: Uint8Array, n: number, f: ImageFrame): void {
  if (data.length < n) throw inputError(spec, `${f.format} ${f.width}×${f.height} needs ${n} bytes, got ${data.length}`);
}

function clamp255(x: number): number {
  return x < 0 ? 0 : x > 255 ? 255 : x;
}
