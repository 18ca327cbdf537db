#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` produced dist/, otherwise the TypeScript sources via tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
let entry = dist;
if (!existsSync(dist)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
}
process.argv[1] = entry;
await import(pathToFileURL(entry).href);
