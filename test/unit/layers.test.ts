/**
 * The layering rule of ARCHITECTURE.md, checked on every import in src/:
 * server → resolvers → services → store/embed/pipeline; imports point down only, and
 * backends are reached only through their interface.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/** For each top folder (or store sub-area), the folders it may import from. */
const ALLOWED: Record<string, string[]> = {
  shared: ['shared'],
  config: ['config', 'shared'],
  store: ['store', 'config', 'shared'],
  embed: ['embed', 'config', 'shared'],
  pipeline: ['pipeline', 'shared'],
  services: ['services', 'store', 'embed', 'pipeline', 'shared'],
  resolvers: ['resolvers', 'services', 'store', 'shared'],
  // Agent tools / MCP: talks to the API over GraphQL HTTP only, never to services or the store.
  mcp: ['mcp', 'config', 'shared'],
  server: ['server', 'mcp', 'resolvers', 'services', 'store', 'embed', 'config', 'shared'],
  cli: ['cli', 'server', 'mcp', 'services', 'store', 'embed', 'config', 'shared'],
};

/** Store files other layers may import: the interfaces, records, repositories and the opener. */
function isStoreInterface(rel: string): boolean {
  return rel === 'store/types.ts' || rel === 'store/records.ts' || rel.startsWith('store/repositories/') || rel === 'store/open.ts';
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe('layering', () => {
  it('every import in src/ points down and reaches backends only through their interface', async () => {
    const violations: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const from = path.relative(SRC, file);
      const layer = from.split(path.sep)[0]!;
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), match[1]!));
        const targetLayer = target.split(path.sep)[0]!;
        if (!(ALLOWED[layer] ?? []).includes(targetLayer)) violations.push(`${from} imports ${target} (${layer} → ${targetLayer})`);
        if (layer !== 'store' && targetLayer === 'store') {
          const onlyOpener = layer === 'server' || layer === 'cli';
          const ok = isStoreInterface(target) && (target !== 'store/open.ts' || onlyOpener);
          if (!ok) violations.push(`${from} imports the backend file ${target}`);
        }
        if (layer !== 'embed' && targetLayer === 'embed') {
          // The composition roots open an embedder (index.ts); everyone else sees only the contract.
          const ok = target === 'embed/types.ts' || (target === 'embed/index.ts' && (layer === 'server' || layer === 'cli'));
          if (!ok) violations.push(`${from} imports the embedder backend ${target}`);
        }
        if (layer === 'resolvers' && targetLayer === 'store' && target.startsWith('store/repositories/')) {
          violations.push(`${from} (a resolver) imports SQL from ${target}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
