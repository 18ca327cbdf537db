/**
 * Writes the JSON Schemas of the config and of every MQTT payload to deploy/schema/ (`npm run
 * schema`). A test checks the committed files are current.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PAYLOAD_SCHEMAS } from '../publish/payload-schema.ts';
import { configSchema } from './schema.ts';

export function jsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const base = 'https://sensorium.dev/schema';
  out['config.schema.json'] = { $id: `${base}/config.schema.json`, title: 'Sensorium config', ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) };
  for (const [id, schema] of Object.entries(PAYLOAD_SCHEMAS)) {
    const file = `${id.replace(/^sensorium\./, '').replace('/', '.v')}.schema.json`;
    out[file] = { $id: `${base}/${file}`, title: id, ...z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) };
  }
  return out;
}

export function writeJsonSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [file, schema] of Object.entries(jsonSchemas())) {
    writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
    files.push(file);
  }
  return files;
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const files = writeJsonSchemas(new URL('../../deploy/schema/', import.meta.url).pathname);
  process.stdout.write(`wrote ${files.map((f) => `deploy/schema/${f}`).join(', ')}\n`);
}
