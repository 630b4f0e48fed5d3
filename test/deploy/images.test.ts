/**
 * Images (issue 14). Docker is not available on these machines, so what can be checked here is:
 * compose.yaml parses and runs what it promises (pinned backend tags, the same as the
 * testcontainers setup; two API instances behind one port), the Dockerfile is multi-stage on
 * Node 24 slim and runs as a non-root user, and its build steps — scripts/image-build.sh, the
 * only thing its RUN lines call — run as a script in a copy of the checkout, and the tree the
 * runtime stage copies starts the CLI. `docker build` and `docker compose up` were not run.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FALKORDB_IMAGE, PGVECTOR_IMAGE } from '../support/images.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFile(path.join(ROOT, file), 'utf8');

describe('compose.yaml', () => {
  it('parses, pins the backend tags the tests use, and runs two API instances behind one port', async () => {
    const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, { image?: string; build?: unknown; ports?: string[]; environment?: Record<string, string> }> };
    const { services } = compose;
    expect(services['postgres']?.image).toBe(PGVECTOR_IMAGE);
    expect(services['falkordb']?.image).toBe(FALKORDB_IMAGE);
    for (const image of [PGVECTOR_IMAGE, FALKORDB_IMAGE]) expect(image).not.toMatch(/:latest$|^[^:]+$/);
    const apis = Object.keys(services).filter((name) => services[name]?.build !== undefined);
    expect(apis).toEqual(['api-1', 'api-2']);
    for (const name of apis) {
      expect(services[name]?.ports).toBeUndefined();
      expect(services[name]?.environment).toMatchObject({ DATABASE_URL: expect.stringMatching(/@postgres:5432\//), FALKORDB_URL: 'falkor://falkordb:6379', HIVEGRAPH_TRUST_PROXY: 'uniquelocal' });
    }
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published).toEqual(['4000:4000']);
    const nginx = await read('deploy/nginx.conf');
    expect(nginx).toMatch(/server api-1:4000;\s*server api-2:4000;/);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 slim, runs as non-root, and builds only through scripts/image-build.sh', async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile.match(/^FROM node:24-slim AS \w+$/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/image\/ \/app\/$/m);
    for (const line of dockerfile.split('\n').filter((l) => l.startsWith('RUN '))) {
      expect(line, line).toMatch(/scripts\/image-build\.sh|^RUN mkdir -p \/data && chown node:node \/data$/);
    }
  });
});

describe('scripts/image-build.sh (the build steps, outside Docker)', () => {
  let work: string | undefined;
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('assembles the runtime tree: production dependencies only, built explorer, a CLI that starts', { timeout: 600_000 }, async () => {
    work = await mkdtemp(path.join(tmpdir(), 'hg-image-'));
    const context = path.join(work, 'app');
    // The build context as .dockerignore leaves it (no node_modules, no .git).
    const ignored = new Set(['node_modules', '.git', '.hivegraph', 'image', 'coverage', '.models']);
    await cp(ROOT, context, { recursive: true, filter: (src) => !ignored.has(path.relative(ROOT, src).split(path.sep)[0] ?? '') });
    // The `deps` stage is `npm ci` of everything: the checkout's node_modules stands in for it
    // here (installing all dev dependencies again would take minutes); `build` runs for real.
    await symlink(path.join(ROOT, 'node_modules'), path.join(context, 'node_modules'));
    await run('bash', ['scripts/image-build.sh', 'build'], { cwd: context, env: { ...process.env, NPM_CI_FLAGS: '--offline' }, maxBuffer: 64 * 1024 * 1024 });
    const image = path.join(context, 'image');
    for (const part of ['bin/hivegraph.js', 'src/server/server.ts', 'migrations', 'tools/search.graphql', 'explorer/dist', 'node_modules/pino', 'node_modules/@apollo/server']) {
      expect((await stat(path.join(image, part))).isFile() || (await stat(path.join(image, part))).isDirectory(), part).toBe(true);
    }
    await expect(stat(path.join(image, 'node_modules/vitest'))).rejects.toThrow();
    const help = await run(process.execPath, [path.join(image, 'bin/hivegraph.js'), '--help'], { cwd: image });
    expect(help.stdout).toMatch(/Usage: hivegraph <command>/);
  });
});
