import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file (relative paths inside resolve against its directory). */
  path: string;
  dir: string;
  /** The raw parsed YAML (what the recorder embeds in log metadata). */
  raw: unknown;
}

/** Reads, parses and validates a config file. Throws `ConfigError` naming the field and the value. */
export function loadConfigFile(path: string): LoadedConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read config file ${abs}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
  }
  const raw = parseYaml(text, abs);
  return { config: parseConfig(raw), path: abs, dir: dirname(abs), raw };
}

export function parseYaml(text: string, name = 'config'): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw new ConfigError('', `${name}: YAML syntax error: ${first.message}`);
  return doc.toJS();
}

/** Validates an already-parsed object against the schema. */
export function parseConfig(raw: unknown): Config {
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw toConfigError(parsed.error);
}

function toConfigError(err: z.ZodError): ConfigError {
  const issue = err.issues[0];
  if (!issue) return new ConfigError('', 'invalid config');
  const path = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if ('input' in issue && issue.input !== undefined) {
    message += ` (got ${JSON.stringify(issue.input)})`;
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    message = 'required field is missing';
  }
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length > 2 ? 's' : ''})` : '';
  return new ConfigError(path, message + more);
}
