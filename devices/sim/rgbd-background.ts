import { HEIGHT, WIDTH, rayX, rayY, vignette } from './camera-model.ts';
import { staticInvalid } from './depth-edges.ts';
import { Stream, uniform } from './hash.ts';
import type { CellLayout } from './layout.ts';
import { rasterise, shade } from './rasterise.ts';
import { Rng } from './rng.ts';

/**
 * Everything the overhead RGB-D unit sees that never moves, rendered once per world: floor
 * (concrete texture + safety tape), table, robot base, conveyor, tray, stack-light tower, clutter.
 * The top lamp is rendered too, but its pixels are recorded so each frame can recolour them.
 */
export interface RgbdBackground {
  color: Uint8Array;
  depth: Float32Array;
  /** Depth pixels invalid in the static scene (occlusion bands, edges), per row. */
  invalid: { pixels: Int32Array; rowStart: Int32Array };
  /** Pixels of the stack light's top lamp and their shading × vignetting. */
  lampPixels: Int32Array;
  lampShade: Float32Array;
}

const TEX = 256;
let concrete: Float32Array | undefined;

export function renderBackground(seed: number, layout: CellLayout): RgbdBackground {
  const n = WIDTH * HEIGHT;
  const color = new Uint8Array(n * 3);
  const depth = new Float32Array(n);
  const owner = new Int16Array(n).fill(-1);
  const eye = [layout.camera.x, layout.camera.y, layout.camera.z] as const;
  const tex = concreteTexture();
  const vig = vignette();
  const offX = Math.floor(uniform(seed, Stream.layout, 77) * TEX);
  const offY = Math.floor(uniform(seed, Stream.layout, 78) * TEX);
  const floorShade = shade(0, 0, 1);
  const [fr, fg, fb] = layout.floorColor;
  const w = WIDTH;
  const h = HEIGHT;
  const xs = Float64Array.from({ length: w }, (_, i) => eye[0] + eye[2] * rayX(i));
  const txs = Int32Array.from(xs, (x) => Math.floor(x / 0.02) + offX);
  depth.fill(eye[2]);
  for (let j = 0; j < h; j++) {
    const y = eye[1] + eye[2] * rayY(j);
    const ty = ((Math.floor(y / 0.02) + offY) & (TEX - 1)) * TEX;
    for (let i = 0; i < w; i++) {
      const p = j * w + i;
      const k = (tex[ty + ((txs[i] as number) & (TEX - 1))] as number) * floorShade * (vig[p] as number);
      const tape = tapeAt(xs[i] as number, y);
      color[3 * p] = (tape ? tape[0] : fr) * k;
      color[3 * p + 1] = (tape ? tape[1] : fg) * k;
      color[3 * p + 2] = (tape ? tape[2] : fb) * k;
    }
  }
  const target = { color, depth, owner };
  // The lamp is drawn white so its shading can be read back; frames recolour it.
  layout.solids.forEach((solid, id) => rasterise(solid, eye, target, id, solid === layout.lamp ? [255, 255, 255] : solid.color));
  const lampId = layout.solids.indexOf(layout.lamp);
  const pixels: number[] = [];
  const shades: number[] = [];
  for (let p = 0; p < n; p++) {
    if (owner[p] !== lampId) continue;
    pixels.push(p);
    shades.push((color[3 * p] as number) / 255);
  }
  return { color, depth, invalid: staticInvalid(depth, HEIGHT), lampPixels: Int32Array.from(pixels), lampShade: Float32Array.from(shades) };
}

/** Yellow/black hatched tape around the robot table's keep-out zone, 5 cm wide. */
function tapeAt(x: number, y: number): readonly [number, number, number] | undefined {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const onX = ax >= 1.15 && ax <= 1.2 && ay <= 0.9;
  const onY = ay >= 0.85 && ay <= 0.9 && ax <= 1.2;
  if (!onX && !onY) return undefined;
  return Math.floor((x + y) / 0.06) % 2 === 0 ? [225, 190, 35] : [30, 30, 30];
}

/** Tileable concrete-like texture (smoothed white noise, mean 1), shared by all worlds. */
function concreteTexture(): Float32Array {
  if (concrete) return concrete;
  const rng = new Rng(0, Stream.noiseTable, 1);
  const raw = Float32Array.from({ length: TEX * TEX }, () => rng.next());
  const out = new Float32Array(TEX * TEX);
  for (let y = 0; y < TEX; y++) {
    for (let x = 0; x < TEX; x++) {
      let acc = 0;
      for (let k = -1; k <= 1; k++) {
        for (let l = -1; l <= 1; l++) acc += raw[((y + k) & (TEX - 1)) * TEX + ((x + l) & (TEX - 1))] as number;
      }
      out[y * TEX + x] = 0.85 + 0.3 * (acc / 9) + 0.06 * ((raw[y * TEX + x] as number) - 0.5);
    }
  }
  concrete = out;
  return out;
}
