/**
 * `hivegraph mcp --url …` as an MCP client launches it: the real CLI spawned by the SDK's
 * StdioClientTransport against a real server, plus its exit codes and `hivegraph tools`.
 * Children get only the variables each case sets (no Hivegraph configuration, no NODE_ENV).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { callTool, readContribution, seedWorld, SHIPPED_TOOLS, type World } from './mcp-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/hivegraph.js', import.meta.url));
/** Each case spawns Node processes, which a busy machine makes slow. */
const SPAWN_TIMEOUT = 120_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let world: World;
let scratch = '';

beforeAll(async () => {
  server = await startTestServer();
  world = await seedWorld(server, 'stdio');
  scratch = await mkdtemp(path.join(tmpdir(), 'hg-mcp-stdio-'));
});

afterAll(async () => {
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** process.env without Hivegraph configuration, the API key or NODE_ENV, plus `extra`. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const drop = new Set<string>([...CONFIG_VARIABLES, 'HIVEGRAPH_API_KEY', 'NODE_ENV']);
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !drop.has(name)) env[name] = value;
  return { ...env, ...extra };
}

/** Runs `hivegraph …` to completion (stdin closed at once). */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hivegraph ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, SPAWN_TIMEOUT);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

async function connectStdio(key: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--url', server.graphqlUrl],
    env: childEnv({ HIVEGRAPH_API_KEY: key }),
    cwd: scratch,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'stdio-test', version: '0.1' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe('hivegraph mcp (stdio)', () => {
  it('serves the tools as the key in HIVEGRAPH_API_KEY: search, contribute PENDING with provenance, visibility', async () => {
    const { client, stderr } = await connectStdio(world.agent.key);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(SHIPPED_TOOLS));
      // `hivegraph tools --format mcp` prints exactly what tools/list answers (both by introspection here).
      const printed = await run(['tools', '--format', 'mcp', '--url', server.graphqlUrl], { HIVEGRAPH_API_KEY: world.agent.key });
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.stdout)).toEqual(tools);

      const found = await callTool(client, 'search', { query: 'zeppelin rollout', mode: 'TEXT' });
      const ids = found.json.search.map((h: { artifact: { id: string } }) => h.artifact.id);
      expect(ids).toContain(world.runbook);
      expect(ids).not.toContain(world.secret);
      expect((await callTool(client, 'get_artifact', { id: world.secret })).json).toEqual({ artifact: null });

      const first = await callTool(client, 'contribute', { input: { kind: 'fact', content: 'Zeppelin deploys pause on Fridays.' } });
      const second = await callTool(client, 'contribute', { input: { kind: 'fact', content: 'Zeppelin alerts page the on-call SRE.' } });
      expect(first.json.contribute).toMatchObject({ status: 'PENDING', mcpClientId: 'stdio-test/0.1' });
      const sessionId = first.json.contribute.sessionId as string;
      expect(sessionId).toMatch(UUID);
      expect(second.json.contribute.sessionId).toBe(sessionId); // one session per process
      expect(await readContribution(server, first.json.contribute.id)).toMatchObject({ status: 'PENDING', sessionId, mcpClientId: 'stdio-test/0.1' });

      expect(stderr()).toContain(`MCP on stdio: ${tools.length} tools for ${server.graphqlUrl} as ${world.agent.handle} (AGENT)`);
    } finally {
      await client.close();
    }
  }, SPAWN_TIMEOUT);

  it('exits 0 when the client closes stdin', async () => {
    const result = await run(['mcp', '--url', server.url], { HIVEGRAPH_API_KEY: world.agent.key });
    expect(result).toMatchObject({ code: 0, stdout: '' });
  }, SPAWN_TIMEOUT);

  it('says clearly what is wrong, with its exit code', async () => {
    const badDir = await mkdtemp(path.join(scratch, 'bad-tools-'));
    const badFile = path.join(badDir, 'broken.graphql');
    await writeFile(badFile, 'subscription { events { cursor } }');
    const key = { HIVEGRAPH_API_KEY: world.agent.key };
    const [noUrl, noKey, badKey, unreachable, badTools] = await Promise.all([
      run(['mcp'], key),
      run(['mcp', '--url', server.graphqlUrl], {}),
      run(['mcp', '--url', server.graphqlUrl], { HIVEGRAPH_API_KEY: 'hg_not-a-real-key' }),
      run(['mcp', '--url', 'http://127.0.0.1:1/graphql'], key),
      run(['mcp', '--url', server.graphqlUrl, '--tools', badDir], key),
    ]);
    expect(noUrl.code).toBe(64);
    expect(noUrl.stderr).toContain('mcp needs --url URL');
    expect(noKey.code).toBe(78);
    expect(noKey.stderr).toContain('HIVEGRAPH_API_KEY: required');
    expect(badKey.code).toBe(78);
    expect(badKey.stderr).toContain('refused HIVEGRAPH_API_KEY');
    expect(unreachable.code).toBe(69);
    expect(unreachable.stderr).toContain('Cannot use the Hivegraph API at http://127.0.0.1:1/graphql: cannot reach');
    expect(badTools.code).toBe(65);
    expect(badTools.stderr).toContain(`${badFile}: is a subscription`);

    for (const result of [noUrl, noKey, badKey, unreachable, badTools]) expect(result.stderr).not.toMatch(/^\s+at /m);
  }, SPAWN_TIMEOUT);
});

describe('hivegraph tools', () => {
  it('prints OpenAI and Anthropic definitions, user tool files included', async () => {
    const mine = await mkdtemp(path.join(scratch, 'my-tools-'));
    await writeFile(path.join(mine, 'whoami.graphql'), '# Who the API key belongs to.\nquery WhoAmI { me { handle role } }\n');
    const shipped = fileURLToPath(new URL('../../tools', import.meta.url));
    const [openai, anthropic, wrong] = await Promise.all([
      run(['tools', '--format', 'openai', '--tools', shipped, '--tools', mine], {}),
      run(['tools', '--format', 'anthropic', '--url', server.url], { HIVEGRAPH_API_KEY: world.agent.key, HIVEGRAPH_TOOLS_DIR: mine }),
      run(['tools', '--format', 'yaml'], {}),
    ]);
    expect(openai.code).toBe(0);
    const functions = JSON.parse(openai.stdout) as { type: string; function: { name: string; description: string; parameters: unknown } }[];
    expect(functions.every((f) => f.type === 'function')).toBe(true);
    expect(functions.map((f) => f.function.name)).toEqual([...SHIPPED_TOOLS, 'who_am_i']);
    expect(functions.at(-1)!.function).toEqual({ name: 'who_am_i', description: 'Who the API key belongs to.', parameters: { type: 'object', properties: {}, additionalProperties: false } });

    expect(anthropic.code).toBe(0);
    expect(JSON.parse(anthropic.stdout)).toEqual([{ name: 'who_am_i', description: 'Who the API key belongs to.', input_schema: { type: 'object', properties: {}, additionalProperties: false } }]);

    expect(wrong.code).toBe(64);
  }, SPAWN_TIMEOUT);
});
