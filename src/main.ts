/**
 * The composition root: the only file in src/ that imports devices/ and models/ (lint-enforced).
 * It fills the registries and hands them to the CLI; nothing registers itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { captureReaders, createReplayDriver, drivers } from '../devices/index.ts';
import { mcapCaptureReader } from './record/mcap-capture-reader.ts';
import { mcapTimingReader } from './record/mcap-timing-reader.ts';
import { openMcapLog } from './record/mcap/open-log.ts';
import { openBciGuiTimingReader } from '../devices/eeg/openbci-gui/index.ts';
import type { CliRegistry } from './cli/registry.ts';
import { buildProgram } from './cli/program.ts';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

export function createRegistry(): CliRegistry {
  // src/main.ts → ../package.json; dist/src/main.js → ../../package.json
  const pkgUrl = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((u) => existsSync(u));
  const pkg = JSON.parse(readFileSync(pkgUrl ?? new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    drivers: new Map([...drivers, createReplayDriver({ openLog: openMcapLog })].map((d) => [d.name, d])),
    preprocessModule: new URL(`../models/preprocess/index${EXT}`, import.meta.url).href,
    version: pkg.version,
    timingReaders: [openBciGuiTimingReader, mcapTimingReader],
    captureReaders: new Map([...captureReaders, [mcapCaptureReader.name, mcapCaptureReader]]),
  };
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  await buildProgram(createRegistry()).parseAsync(process.argv);
}
