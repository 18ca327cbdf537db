import type { TimestampNs } from '../../src/core/index.ts';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { invalidateRow } from './depth-edges.ts';
import type { BoxSolid, CapsuleSolid, Rgb, Vec3 } from './geometry.ts';
import { Stream, uniform } from './hash.ts';
import type { CellLayout } from './layout.ts';
import { rowGains } from './lighting.ts';
import { NOISE_SPAN, cameraNoise, depthNoise } from './noise-tables.ts';
import { rasterise } from './rasterise.ts';
import { renderBackground, type RgbdBackground } from './rgbd-background.ts';
import type { RobotState } from './robot.ts';

/** What moves in front of the RGB-D unit at one instant. */
export interface RgbdScene {
  robot: RobotState;
  parts: BoxSolid[];
  /** Everything else that moves (people, AGV); culled when outside the frustum. */
  capsules: CapsuleSolid[];
  boxes: BoxSolid[];
}

export interface RgbdOutputs {
  /** 640×480 rgb24. */
  rgb?: Uint8Array;
  /** 640×480 Z16 in mm, 0 = invalid. */
  depth?: Uint16Array;
}

const LAMP_GREEN: Rgb = [70, 235, 95];
const LAMP_AMBER: Rgb = [255, 165, 20];
/** Depth noise σ = K·z² (m), stereo-like: ~12 mm at the table top, ~22 mm on the floor. */
const DEPTH_SIGMA_K = 0.0025;
// Module-local copies: loaders that transpile ESM (tsx, vitest) turn imported constants into
// getter calls, which costs milliseconds per frame inside the per-pixel loops.
const W = WIDTH;
const H = HEIGHT;
/** Saturating byte: index v + 128 → clamp(v, 0, 255) (camera noise bytes carry a +128 bias). */
const CLAMP = Uint8Array.from({ length: 1024 }, (_, i) => Math.max(0, Math.min(255, i - 128)));

/**
 * Renders camera and depth frames of one world from the same z-buffer. The static background is
 * built once; per frame only the lamp colour and the moving solids are rasterised, then lighting,
 * noise, occlusion bands and dropouts are applied in one pass per output. Not re-entrant (work
 * buffers are reused).
 */
export class RgbdRenderer {
  readonly #seed: number;
  readonly #layout: CellLayout;
  readonly #lineHz: number;
  readonly #eye: Vec3;
  #bg: RgbdBackground | undefined;
  readonly #color = new Uint8Array(W * H * 3);
  readonly #color32 = new Uint32Array(this.#color.buffer);
  readonly #depth = new Float32Array(W * H);
  readonly #gains = new Float32Array(H);
  readonly #dirtyRows = new Uint8Array(H);

  constructor(opts: { seed: number; layout: CellLayout; lineHz: number }) {
    this.#seed = opts.seed;
    this.#layout = opts.layout;
    this.#lineHz = opts.lineHz;
    this.#eye = [opts.layout.camera.x, opts.layout.camera.y, opts.layout.camera.z];
  }

  /**
   * The static background, built on first use (so LiDAR/EEG-only users never pay for it), together
   * with the process-wide noise tables.
   */
  background(): RgbdBackground {
    if (!this.#bg) {
      this.#bg = renderBackground(this.#seed, this.#layout);
      cameraNoise();
      depthNoise();
    }
    return this.#bg;
  }

  render(scene: RgbdScene, t: TimestampNs, out: RgbdOutputs): void {
    const bg = this.background();
    const color = this.#color;
    const depth = this.#depth;
    color.set(bg.color);
    depth.set(bg.depth);
    const lamp = scene.robot.lampRunning ? LAMP_GREEN : LAMP_AMBER;
    for (let k = 0; k < bg.lampPixels.length; k++) {
      const p = bg.lampPixels[k] as number;
      // Emissive: bright whatever the shading, brighter where the lens faces the camera.
      const g = Math.min(1, 0.55 + 0.5 * (bg.lampShade[k] as number));
      color[3 * p] = lamp[0] * g;
      color[3 * p + 1] = lamp[1] * g;
      color[3 * p + 2] = lamp[2] * g;
    }
    this.#dirtyRows.fill(0);
    const target = { color, depth, dirtyRows: this.#dirtyRows };
    for (const s of scene.robot.capsules) rasterise(s, this.#eye, target);
    for (const s of scene.parts) rasterise(s, this.#eye, target);
    for (const s of scene.boxes) rasterise(s, this.#eye, target);
    for (const s of scene.capsules) rasterise(s, this.#eye, target);
    const lo = Number(t & 0xffffffffn) | 0;
    const hi = Number((t >> 32n) & 0xffffffffn) | 0;
    if (out.rgb) this.#finishRgb(out.rgb, t, Math.floor(uniform(this.#seed, Stream.cameraNoise, lo, hi) * NOISE_SPAN));
    if (out.depth) this.#finishDepth(out.depth, Math.floor(uniform(this.#seed, Stream.depthNoise, lo, hi) * NOISE_SPAN));
  }

  /**
   * Lighting (ambient × rolling-shutter flicker per row, 8.8 fixed point) and sensor noise,
   * saturated to 0..255. Works on 32-bit words, four bytes at a time: one load of colour, one of
   * noise and one store per word instead of per byte.
   */
  #finishRgb(rgb: Uint8Array, t: TimestampNs, offsetWords: number): void {
    if (rgb.length !== W * H * 3) throw new RangeError(`rgb buffer must hold ${W * H * 3} bytes`);
    const gains = rowGains(this.#seed, t, this.#lineHz, this.#gains);
    const aligned = rgb.byteOffset % 4 === 0;
    const dst = aligned ? new Uint32Array(rgb.buffer, rgb.byteOffset, rgb.length / 4) : new Uint32Array(rgb.length / 4);
    const src = this.#color32;
    const noise = cameraNoise();
    const clamp = CLAMP;
    const rowWords = (W * 3) / 4;
    for (let j = 0; j < H; j++) {
      const g = ((gains[j] as number) * 256 + 0.5) | 0;
      const end = (j + 1) * rowWords;
      for (let k = j * rowWords; k < end; k++) {
        const s = src[k] as number;
        const n = noise[offsetWords + k] as number;
        const b0 = clamp[(((s & 255) * g) >> 8) + (n & 255)] as number;
        const b1 = clamp[((((s >>> 8) & 255) * g) >> 8) + ((n >>> 8) & 255)] as number;
        const b2 = clamp[((((s >>> 16) & 255) * g) >> 8) + ((n >>> 16) & 255)] as number;
        const b3 = clamp[(((s >>> 24) * g) >> 8) + (n >>> 24)] as number;
        dst[k] = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
      }
    }
    if (!aligned) rgb.set(new Uint8Array(dst.buffer));
  }

  /**
   * Z16 in mm with noise σ ∝ z² and random dropouts, then the stereo invalid pixels of
   * depth-edges.ts: taken from the background's precomputed list on rows nothing moving touched,
   * re-scanned on the others.
   */
  #finishDepth(out: Uint16Array, offset: number): void {
    if (out.length !== W * H) throw new RangeError(`depth buffer must hold ${W * H} values`);
    const z = this.#depth;
    const gauss = depthNoise();
    const k = DEPTH_SIGMA_K;
    const n = W * H;
    for (let p = 0; p < n; p++) {
      const zi = z[p] as number;
      // NaN entries of the noise table are dropouts: (NaN | 0) === 0. `+ 0.5 | 0` rounds.
      out[p] = (1000 * (zi + k * zi * zi * (gauss[offset + p] as number)) + 0.5) | 0;
    }
    const { pixels, rowStart } = this.background().invalid;
    for (let j = 0; j < H; j++) {
      if (this.#dirtyRows[j] === 1) invalidateRow(z, out, j);
      else for (let q = rowStart[j] as number; q < (rowStart[j + 1] as number); q++) out[pixels[q] as number] = 0;
    }
  }
}
