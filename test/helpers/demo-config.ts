import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/** The demo config as YAML data, loosely typed for test edits. */
export interface DemoYaml {
  device: { id: string; site: string };
  sources: Record<string, Record<string, unknown>>;
  pipelines: { cell_state: { models: string; inputs: Record<string, Record<string, unknown>> } };
  outputs: { mqtt: Record<string, unknown> };
  metrics: Record<string, unknown>;
}

/**
 * Writes deploy/configs/demo.yaml, edited by `mutate`, to a fresh temp folder: models resolved,
 * a spool of its own (one process per spool directory; tests run in parallel), metrics off.
 */
export function demoConfig(mutate: (c: DemoYaml, dir: string) => void = () => {}): { file: string; dir: string } {
  const c = parse(readFileSync('deploy/configs/demo.yaml', 'utf8')) as DemoYaml;
  c.pipelines.cell_state.models = resolve('models/reference');
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-test-'));
  c.outputs.mqtt.spool = { dir: join(dir, 'spool') };
  c.metrics.enabled = false;
  mutate(c, dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(c));
  return { file, dir };
}
