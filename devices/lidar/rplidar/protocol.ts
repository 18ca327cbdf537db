/**
 * Slamtec RPLIDAR serial protocol (Slamtec/rplidar_sdk `sl_lidar_cmd.h`, `sl_lidar_protocol.h`,
 * `sl_lidarprotocol_codec.cpp`; "RPLIDAR Interface Protocol and Application Notes"; summarised in
 * sensor-protocols §2).
 *
 * Request: `A5 cmd`, or for commands with bit 7 set `A5 cmd len payload… xor` where xor covers every
 * preceding byte. Response descriptor: `A5 5A` + u32 LE (bits 0–29 length, 30–31 send mode:
 * 0 single, 1 multiple) + u8 data type.
 */
export const SYNC = 0xa5;
export const SYNC2 = 0x5a;
export const DESCRIPTOR_BYTES = 7;

export const CMD = {
  STOP: 0x25,
  RESET: 0x40,
  SCAN: 0x20,
  FORCE_SCAN: 0x21,
  EXPRESS_SCAN: 0x82,
  GET_INFO: 0x50,
  GET_HEALTH: 0x52,
  GET_SAMPLERATE: 0x59,
  GET_LIDAR_CONF: 0x84,
  SET_MOTOR_PWM: 0xf0,
  GET_ACC_BOARD_FLAG: 0xff,
} as const;

/** Response data types (`sl_lidar_cmd.h` SL_LIDAR_ANS_TYPE_*). */
export const ANS = {
  MEASUREMENT: 0x81,
  MEASUREMENT_CAPSULED: 0x82,
  DEVINFO: 0x04,
  DEVHEALTH: 0x06,
  SAMPLE_RATE: 0x15,
  GET_LIDAR_CONF: 0x20,
  ACC_BOARD_FLAG: 0xff,
} as const;

export const NODE_BYTES = 5;
export const CAPSULE_BYTES = 84;

/** Encodes a request; commands ≥ 0x80 carry a payload and a checksum. */
export function encodeRequest(cmd: number, payload: ArrayLike<number> = []): Uint8Array {
  if ((cmd & 0x80) === 0) return Uint8Array.of(SYNC, cmd);
  const out = new Uint8Array(4 + payload.length);
  out[0] = SYNC;
  out[1] = cmd;
  out[2] = payload.length;
  for (let i = 0; i < payload.length; i++) out[3 + i] = (payload[i] ?? 0) & 0xff;
  let x = 0;
  for (let i = 0; i < out.length - 1; i++) x ^= out[i]!;
  out[out.length - 1] = x;
  return out;
}

/** `EXPRESS_SCAN` in legacy mode (`{working_mode 0, flags 0, param 0}`): 84-byte capsules. */
export const EXPRESS_SCAN_LEGACY = encodeRequest(CMD.EXPRESS_SCAN, [0, 0, 0, 0, 0]);

/** A2/A3 motor speed (u16 LE PWM, 0 stops; the SDK's default is 600). */
export function motorPwmRequest(pwm: number): Uint8Array {
  const v = Math.max(0, Math.min(1023, Math.round(pwm)));
  return encodeRequest(CMD.SET_MOTOR_PWM, [v & 0xff, v >> 8]);
}

export interface ResponseDescriptor {
  length: number;
  /** 0 single response, 1 a stream of `length`-byte records until stopped. */
  mode: number;
  dataType: number;
}

/** Builds a descriptor (fakes and tests; the device sends these). */
export function encodeDescriptor(d: ResponseDescriptor): Uint8Array {
  const v = ((d.length & 0x3fffffff) | (d.mode << 30)) >>> 0;
  return Uint8Array.of(SYNC, SYNC2, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24, d.dataType);
}

/** Native baud rate by hardware version (SDK `_getNativeBaudRate`: A-series < 6 → 115200). */
export function nativeBaudRate(model: number, hardware: number): number {
  const series = model >> 4;
  if (series <= 3) return hardware < 6 ? 115200 : 256000;
  return 256000;
}
