/**
 * Cyton scaling (OpenBCI "Cyton Data Format" §"Interpreting the EEG Data"; identical in BrainFlow
 * cyton.cpp): the ADS1299 reference is 4.5 V over 2^23 − 1 counts, divided by the channel's PGA
 * gain. At the default gain of 24 one count is 0.022351744455307 µV; full scale ±187500 µV.
 * Accelerometer (LIS3DH at ±4 g): 0.002 g per count after the 4-bit left-justification (§"Aux").
 */
export const ADS1299_VREF = 4.5;
export const COUNTS_FULL_SCALE = 8388607; // 2^23 − 1
export const DEFAULT_GAIN = 24;
export const ACCEL_G_PER_COUNT = 0.002 / 16;
/** Gain code of the `x` channel-settings command (SDK "Channel Setting Commands"): 0→1 … 6→24. */
export const GAIN_CODES: readonly number[] = [1, 2, 4, 6, 8, 12, 24];

export function uvPerCount(gain: number): number {
  return (ADS1299_VREF / gain / COUNTS_FULL_SCALE) * 1e6;
}

/** µV → the nearest 24-bit count (clamped to the converter's range). */
export function uvToCounts(uv: number, gain: number): number {
  const c = Math.round(uv / uvPerCount(gain));
  return Math.max(-8388608, Math.min(8388607, c));
}
