/**
 * Builds the web explorer (GraphiQL + the neighbourhood view) into `explorer/dist/` with
 * esbuild: everything the page needs — React, GraphiQL, Monaco and its web workers, the
 * graphql-ws client, CSS and fonts — is bundled, so the page works offline (no CDN).
 *
 * Skips the build when `dist/` was made from the same inputs (sources, this script and
 * package-lock.json), so `npm start` / `npm test` pay for it once. When the bundler or
 * GraphiQL is not installed (dev dependencies omitted) it says so and exits 0: the server
 * still runs, and answers /explorer/ with a page explaining how to build it.
 *
 *   node explorer/build.ts            build if stale
 *   node explorer/build.ts --force    always build
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
/** Where the built explorer lives; src/server/explorer.ts serves it. */
export const EXPLORER_DIST = path.join(here, 'dist');
const STAMP = '.build-stamp';

/** The Monaco web workers GraphiQL asks for, by label (see src/monaco-workers.ts). */
const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

/** What a build did. */
export interface BuildResult {
  built: boolean;
  /** Why nothing was built, when `built` is false. */
  reason?: string;
  /** Bytes of everything in dist/ (when built or already fresh). */
  bytes?: number;
  ms: number;
}

/** Hash of every input of the build: explorer sources, this script, the locked dependency versions. */
async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = [path.join(here, 'build.ts'), path.join(root, 'package-lock.json'), ...(await listFiles(path.join(here, 'src')))];
  for (const file of files.sort()) {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(existsSync(file) ? await readFile(file) : '').update('\0');
  }
  return hash.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])));
  return nested.flat();
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const file of await listFiles(dir)) total += (await readFile(file)).byteLength;
  return total;
}

/** Builds `dist/` unless it is fresh (or `force`). Never throws for a missing bundler. */
export async function buildExplorer(options: { force?: boolean } = {}): Promise<BuildResult> {
  const started = Date.now();
  const hash = await inputsHash();
  const stampFile = path.join(EXPLORER_DIST, STAMP);
  if (!options.force && existsSync(stampFile) && (await readFile(stampFile, 'utf8')).trim() === hash) {
    return { built: false, reason: 'up to date', bytes: await sizeOf(EXPLORER_DIST), ms: Date.now() - started };
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
    await import.meta.resolve('graphiql');
  } catch {
    return {
      built: false,
      reason: 'esbuild or graphiql is not installed (dev dependencies); run `npm install` to build the explorer',
      ms: Date.now() - started,
    };
  }

  // Build into a fresh directory and swap it in, so a running server never sees half a build.
  const staging = `${EXPLORER_DIST}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const common = {
    bundle: true,
    metafile: true,
    minify: true,
    platform: 'browser',
    target: 'es2022',
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    absWorkingDir: root,
  } as const;

  // 1. The Monaco workers, as classic (IIFE) scripts with hashed names.
  const workerBuild = await esbuild.build({
    ...common,
    entryPoints: Object.entries(WORKERS).map(([label, input]) => ({ in: input, out: `${label}.worker` })),
    format: 'iife',
    outdir: path.join(staging, 'workers'),
    entryNames: '[name]-[hash]',
  });
  const workerUrls: Record<string, string> = {};
  for (const [file, output] of Object.entries(workerBuild.metafile.outputs)) {
    if (!output.entryPoint) continue;
    const label = path.basename(file).split('.worker-')[0];
    if (label) workerUrls[label] = `./workers/${path.basename(file)}`;
  }

  // 2. The page: ESM with code splitting (GraphiQL loads Monaco lazily), CSS and fonts as files.
  const appBuild = await esbuild.build({
    ...common,
    entryPoints: { main: path.join(here, 'src/main.tsx') },
    format: 'esm',
    splitting: true,
    jsx: 'automatic',
    outdir: path.join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'files/[name]-[hash]',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: { ...common.define, __HIVEGRAPH_MONACO_WORKERS__: JSON.stringify(workerUrls) },
  });
  // Lazily imported chunks count as entry points in the metafile too: pick main.tsx's output.
  const [mainJs, mainOutput] = Object.entries(appBuild.metafile.outputs).find(([, o]) => o.entryPoint === 'explorer/src/main.tsx') ?? [];
  if (!mainJs || !mainOutput) throw new Error('esbuild produced no script for explorer/src/main.tsx');
  const mainCss = mainOutput.cssBundle;
  const href = (file: string) => `./assets/${path.relative(path.join(staging, 'assets'), path.join(root, file)).split(path.sep).join('/')}`;

  const template = await readFile(path.join(here, 'src/index.html'), 'utf8');
  const html = template
    .replace('<!-- styles -->', mainCss ? `<link rel="stylesheet" href="${href(mainCss)}">` : '')
    .replace('<!-- scripts -->', `<script type="module" src="${href(mainJs)}"></script>`);
  await writeFile(path.join(staging, 'index.html'), html);
  await writeFile(path.join(staging, STAMP), `${hash}\n`);

  await rm(EXPLORER_DIST, { recursive: true, force: true });
  await mkdir(path.dirname(EXPLORER_DIST), { recursive: true });
  try {
    await rename(staging, EXPLORER_DIST);
  } catch (error) {
    // Another process (a parallel test file) swapped in its build first: fine if it is the same one.
    const theirs = existsSync(stampFile) ? (await readFile(stampFile, 'utf8')).trim() : undefined;
    await rm(staging, { recursive: true, force: true });
    if (theirs !== hash) throw error;
  }
  return { built: true, bytes: await sizeOf(EXPLORER_DIST), ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildExplorer({ force: process.argv.includes('--force') });
  const size = result.bytes === undefined ? '' : `, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (result.built) process.stdout.write(`explorer: built explorer/dist in ${result.ms} ms${size}\n`);
  else if (result.reason === 'up to date') process.stdout.write(`explorer: explorer/dist is up to date${size}\n`);
  else process.stderr.write(`explorer: not built: ${result.reason}\n`);
}
