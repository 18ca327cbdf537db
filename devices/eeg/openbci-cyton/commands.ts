import { GAIN_CODES } from './scale.ts';

/**
 * ASCII commands of the Cyton SDK (OpenBCI "Cyton SDK", sensor-protocols §1.2). The board answers
 * `v`, `C`/`c`, `x…X`, `d`/`D`, `?` with text ending in `$$$`; `b` and `s` get no reply.
 */
export const CMD = {
  start: 'b',
  stop: 's',
  softReset: 'v',
  defaults: 'd',
  daisyOn: 'C',
  daisyOff: 'c',
} as const;

/**
 * Channel settings `x C P G I B S2 S1 X` (SDK "Channel Setting Commands"): channel 1–8 as '1'..'8',
 * 9–16 (Daisy) as 'Q W E R T Y U I'; power 0 = on; gain code; input 0 = normal; bias 1 = include;
 * SRB2 1 = connect (the GUI's default); SRB1 0 = disconnect.
 */
export function channelSettings(channel: number, gain: number): string {
  const code = GAIN_CODES.indexOf(gain);
  if (code < 0) throw new RangeError(`gain ${gain} is not one of ${GAIN_CODES.join(', ')}`);
  const ch = channel <= 8 ? String(channel) : 'QWERTYUI'[channel - 9];
  if (!ch || channel < 1 || channel > 16) throw new RangeError(`channel ${channel} out of 1..16`);
  return `x${ch}0${code}0110X`;
}
