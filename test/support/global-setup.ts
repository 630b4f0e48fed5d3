/**
 * Decides the integration-test backends once per run and prints the decision.
 * Order: DATABASE_URL / FALKORDB_URL from the environment → testcontainers (only when a Docker
 * engine answers) → embedded.
 */
import { FALKORDB_IMAGE, PGVECTOR_IMAGE } from './images.ts';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import type { BackendSelection } from './backend-selection.ts';

type Stop = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Stop> {
  const env = process.env;
  let selection: BackendSelection;
  const stops: Stop[] = [];
  if (env['DATABASE_URL'] || env['FALKORDB_URL']) {
    selection = {
      source: 'environment',
      ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
      ...(env['FALKORDB_URL'] ? { falkordbUrl: env['FALKORDB_URL'] } : {}),
    };
  } else {
    try {
      selection = await startTestcontainers(stops);
    } catch (error) {
      selection = {
        source: 'embedded',
        reason: `no DATABASE_URL/FALKORDB_URL in the environment and ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  const line = (s: string) => process.stdout.write(`[backends] ${s}\n`);
  line(`source: ${selection.source}`);
  line(`SQL: PGlite (embedded)${selection.databaseUrl ? ` + Postgres at ${redact(selection.databaseUrl)}` : ''}`);
  line(`graph: embedded SQL graph store${selection.falkordbUrl ? ` + FalkorDB at ${selection.falkordbUrl}` : ''}`);
  if (selection.reason) line(`server backends not used: ${selection.reason}`);
  project.provide('backends', selection);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}

/** Starts Postgres + pgvector and FalkorDB containers when a Docker engine answers. */
async function startTestcontainers(stops: Stop[]): Promise<BackendSelection> {
  const socket = process.env['DOCKER_HOST'] ?? (existsSync('/var/run/docker.sock') ? 'unix:///var/run/docker.sock' : undefined);
  if (!socket) throw new Error('no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)');
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient(); // throws when the engine does not answer
  const pg = await new GenericContainer(PGVECTOR_IMAGE)
    .withEnvironment({ POSTGRES_USER: 'hivegraph', POSTGRES_PASSWORD: 'hivegraph', POSTGRES_DB: 'hivegraph' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  stops.push(async () => void (await pg.stop()));
  const falkor = await new GenericContainer(FALKORDB_IMAGE).withExposedPorts(6379).start();
  stops.push(async () => void (await falkor.stop()));
  return {
    source: 'testcontainers',
    databaseUrl: `postgres://hivegraph:hivegraph@${pg.getHost()}:${pg.getMappedPort(5432)}/hivegraph`,
    falkordbUrl: `falkor://${falkor.getHost()}:${falkor.getMappedPort(6379)}`,
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
