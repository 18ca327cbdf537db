import jpeg from 'jpeg-js';

/** A decoded JPEG: packed RGB, 3 bytes per pixel. */
export interface DecodedJpeg {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Baseline and progressive JPEG (MJPEG webcams through camera/ffmpeg `output: mjpeg`, rosbag2
 * `CompressedImage`) → RGB, in pure JavaScript (jpeg-js; the one file that imports it). Runs in
 * the inference worker, and only for frames a fusion actually uses. Bounded: a corrupt header
 * cannot make it allocate more than `maxMemoryUsageInMB`. Throws on bytes that are not a JPEG.
 */
export function decodeJpeg(bytes: Uint8Array): DecodedJpeg {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 50, maxMemoryUsageInMB: 256 });
  return { width: img.width, height: img.height, data: img.data };
}
