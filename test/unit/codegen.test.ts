import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

describe('codegen', () => {
  it('generated resolver types are in step with schema.graphql (run `npm run codegen` if this fails)', async () => {
    const outputs = await generate({ ...config, silent: true, verbose: false }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const committed = await readFile(output.filename, 'utf8');
      expect(committed, `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
  });
});
