import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../../src/config/export-schema.ts';

describe('deploy/schema', () => {
  it.each(Object.keys(jsonSchemas()))('%s is current (run `npm run schema` after changing a schema)', (file) => {
    const committed = JSON.parse(readFileSync(`deploy/schema/${file}`, 'utf8')) as unknown;
    expect(committed).toEqual(jsonSchemas()[file]);
  });
});
