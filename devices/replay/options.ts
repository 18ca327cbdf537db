import { ConfigError, type SourceDescription } from '../../src/core/index.ts';
import type { ReplaySourceOptions } from '../../src/core/log-reader.ts';

const KEYS = ['log', 'source', 'fallback'];

/**
 * Options of a `replay` source. `sensorium replay` writes them into the config it runs (every
 * configured source becomes `{ driver: replay, log, source }`); errors name the dotted path.
 */
export function parseReplayOptions(raw: unknown, path: string): ReplaySourceOptions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(path, `expected an object (got ${JSON.stringify(raw)})`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new ConfigError(`${path}.${k}`, `unknown option (replay takes ${KEYS.join(', ')})`);
  const log = o['log'];
  const source = o['source'];
  if (typeof log !== 'string' || log === '') throw new ConfigError(`${path}.log`, `expected the path of a log (got ${JSON.stringify(log)})`);
  if (typeof source !== 'string' || source === '') throw new ConfigError(`${path}.source`, `expected a source id of the log (got ${JSON.stringify(source)})`);
  const fallback = o['fallback'];
  if (fallback !== undefined && (typeof fallback !== 'object' || fallback === null)) throw new ConfigError(`${path}.fallback`, 'expected a source description');
  return { log, source, ...(fallback ? { fallback: fallback as SourceDescription } : {}) };
}
