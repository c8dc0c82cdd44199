import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from './schema.ts';

describe('README configuration table', () => {
  it('documents every environment variable the schema accepts', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...Object.keys(envSchema.shape)].filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !(k! in envSchema.shape))).toEqual([]);
  });
});
