/**
 * The overhead RGB-D unit (RealSense D435-like, RGB and depth co-located and pixel-aligned):
 * 640×480 pinhole, 60° horizontal field of view, looking straight down from 2.2 m above the table
 * top. Image +u is world +x, image +v is world −y. Because the optical axis is world −z, a ray
 * `C + s·(dx, dy, −1)` reaches depth `s` along the axis: intersection parameters *are* Z16 depths.
 */
export const WIDTH = 640;
export const HEIGHT = 480;
export const FX = 320 / Math.tan(Math.PI / 6);
export const FY = FX;
export const CX = 320;
export const CY = 240;
/** Stereo baseline of the depth imagers (D435: 50 mm), for occlusion bands at depth edges. */
export const BASELINE_M = 0.05;
/** Readout time of one sensor row (rolling shutter): 480 rows in ~13 ms. */
export const ROW_TIME_S = 28e-6;

/** Ray direction x/y components of pixel column i / row j (z component is −1). */
export function rayX(i: number): number {
  return (i + 0.5 - CX) / FX;
}

export function rayY(j: number): number {
  return -(j + 0.5 - CY) / FY;
}

let vignetteTable: Float32Array | undefined;

/**
 * Per-pixel lens vignetting (relative illumination), 1 at the centre, ~0.7 in the corners.
 * Shared by every world: it depends only on the optics.
 */
export function vignette(): Float32Array {
  if (vignetteTable) return vignetteTable;
  const v = new Float32Array(WIDTH * HEIGHT);
  const r2max = CX * CX + CY * CY;
  for (let j = 0; j < HEIGHT; j++) {
    for (let i = 0; i < WIDTH; i++) {
      const dx = i + 0.5 - CX;
      const dy = j + 0.5 - CY;
      v[j * WIDTH + i] = 1 - 0.3 * ((dx * dx + dy * dy) / r2max);
    }
  }
  vignetteTable = v;
  return v;
}
