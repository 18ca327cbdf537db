import { OptionReader } from '../../config/option-reader.ts';

/** Options of `lidar/rplidar`, after parsing and defaulting. */
export interface RplidarOptions {
  /** Serial port of the USB adapter, e.g. /dev/ttyUSB0. */
  path: string;
  /** Default 115200 (A1, A2M8; SDK `_getNativeBaudRate`: hardware ≥ 6 and A3/S1 use 256000). */
  baudRate: number;
  /** 'standard' (SCAN, 5-byte nodes; default) or 'express' (legacy EXPRESS_SCAN capsules, fw ≥ 1.17). */
  mode: 'standard' | 'express';
  /**
   * 'dtr' (default: A1, whose USB adapter switches the motor with DTR — the SDK clears DTR to spin),
   * 'pwm' (A2/A3 accessory board, SET_MOTOR_PWM), or 'none' (motor managed elsewhere).
   */
  motor: 'dtr' | 'pwm' | 'none';
  /** PWM for `motor: pwm`, 0–1023. Default 660 (the value in the SDK's A2 examples). */
  pwm: number;
  bins: number;
  rangeMinM: number;
  rangeMaxM: number;
  minQuality: number;
  /** Revolutions per second, for planning. Default 5.5 (A1 at its default motor speed). */
  rateHz: number;
}

export function parseRplidarOptions(raw: unknown, path: string): RplidarOptions {
  const r = new OptionReader(raw, path);
  const o: RplidarOptions = {
    path: r.string('path'),
    baudRate: r.oneOf('baudRate', 115200, [115200, 256000, 460800, 1000000]),
    mode: r.oneOf('mode', 'standard', ['standard', 'express'] as const),
    motor: r.oneOf('motor', 'dtr', ['dtr', 'pwm', 'none'] as const),
    pwm: r.int('pwm', 660, 0, 1023),
    bins: r.int('bins', 360, 8, 7200),
    rangeMinM: r.number('rangeMinM', 0.15, 0, 100),
    rangeMaxM: r.number('rangeMaxM', 12, 0.1, 100),
    minQuality: r.int('minQuality', 0, 0, 63),
    rateHz: r.number('rateHz', 5.5, 1, 20),
  };
  r.done('lidar/rplidar');
  return o;
}
