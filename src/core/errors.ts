/**
 * Few named errors, one per failure phase, each with a stable `code` and an optional `cause`.
 * Never reject with a string. Decoders never throw on bad bytes: they resynchronise and count.
 */
export class SensoriumError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Invalid configuration. `path` is the dotted path of the offending field. Exit code 78. */
export class ConfigError extends SensoriumError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** A device could not be opened, listed or kept running. */
export class DeviceError extends SensoriumError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'E_DEVICE', message, options);
  }
}

/** Bytes that could not be decoded where the caller asked for a hard failure (files, not streams). */
export class DecodeError extends SensoriumError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'E_DECODE', message, options);
  }
}

/** A model file or manifest does not match what is expected of it. */
export class ModelError extends SensoriumError {
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string; file?: string }) {
    super(options?.code ?? 'E_MODEL', message, options);
    this.file = options?.file;
  }
}

/** Inference failed at run time (worker crash, ORT error). */
export class InferenceError extends SensoriumError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'E_INFERENCE', message, options);
  }
}

/** Publishing failed (broker unreachable, TLS, authorisation). */
export class PublishError extends SensoriumError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'E_PUBLISH', message, options);
  }
}

/** A recording could not be written or read. `offset` is the byte offset when known. */
export class RecordingError extends SensoriumError {
  readonly offset: number | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string; offset?: number }) {
    super(options?.code ?? 'E_RECORDING', message, options);
    this.offset = options?.offset;
  }
}

/** EX_CONFIG from sysexits.h: systemd's `RestartPreventExitStatus=78` stops restart loops. */
export const EXIT_CONFIG = 78;

/** Best-effort message of any thrown value, with the cause chain. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let msg = err.message;
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    msg += `: ${cause instanceof Error ? cause.message : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return msg;
}
