import { ConfigError } from '../../src/core/errors.ts';

/**
 * Small validators for driver options (the raw YAML object under `sources.<id>`). Every failure is
 * a ConfigError naming the dotted path and the bad value (STYLE.md 8), e.g.
 * `sources.lidar0.port: expected an integer 1..65535 (got "x")`.
 */
export class OptionReader {
  readonly path: string;
  readonly #o: Record<string, unknown>;
  readonly #used = new Set<string>();

  constructor(raw: unknown, path: string) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(path, `expected an object (got ${show(raw)})`);
    this.#o = raw as Record<string, unknown>;
    this.path = path;
  }

  has(key: string): boolean {
    return this.#o[key] !== undefined;
  }

  raw(key: string): unknown {
    this.#used.add(key);
    return this.#o[key];
  }

  string(key: string, def?: string): string {
    const v = this.raw(key) ?? def;
    if (typeof v !== 'string' || v === '') throw this.error(key, 'a non-empty string', v);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : (this.#used.add(key), undefined);
  }

  int(key: string, def: number | undefined, min: number, max: number): number {
    const v = this.raw(key) ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw this.error(key, `an integer ${min}..${max}`, v);
    return v;
  }

  number(key: string, def: number | undefined, min: number, max: number): number {
    const v = this.raw(key) ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw this.error(key, `a number in [${min}, ${max}]`, v);
    return v;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.raw(key) ?? def;
    if (typeof v !== 'boolean') throw this.error(key, 'true or false', v);
    return v;
  }

  oneOf<T extends string | number>(key: string, def: T | undefined, values: readonly T[]): T {
    const v = this.raw(key) ?? def;
    if (!values.includes(v as T)) throw this.error(key, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
    return v as T;
  }

  stringList(key: string, def: string[]): string[] {
    const v = this.raw(key) ?? def;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw this.error(key, 'a list of non-empty strings', v);
    return v as string[];
  }

  /** Rejects keys nobody read, listing the accepted ones. */
  done(driver: string): void {
    for (const k of Object.keys(this.#o)) {
      if (!this.#used.has(k)) throw new ConfigError(`${this.path}.${k}`, `unknown option (${driver} takes ${[...this.#used].sort().join(', ')})`);
    }
  }

  error(key: string, expected: string, got: unknown): ConfigError {
    return new ConfigError(`${this.path}.${key}`, `expected ${expected} (got ${show(got)})`);
  }
}

export function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
