/**
 * Ingest through the API: `createArtifact` over GraphQL (the server embeds each artifact with
 * its embedder and writes row, share, revision, graph-outbox row and HNSW entry in one
 * transaction), by one client and by several at once.
 */
import type { GraphQLClient } from './graphql-client.ts';
import { round, secondsSince, summarize, type LatencyStats } from './harness.ts';
import type { Corpus } from './search-corpus.ts';
import type { BenchIdentity } from './search-identity.ts';

/** One ingest run. */
export interface IngestRun {
  clients: number;
  artifacts: number;
  seconds: number;
  artifactsPerSecond: number;
  /** Latency of one createArtifact request, ms. */
  latency: LatencyStats;
}

const CREATE = `mutation($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }`;

/**
 * Creates `count` artifacts with `clients` concurrent clients (writer i shares with its own
 * team), each sending one request at a time.
 */
export async function ingestThroughGraphQL(
  api: GraphQLClient,
  identity: BenchIdentity,
  corpus: Corpus,
  options: { count: number; clients: number },
  progress: (message: string) => void,
): Promise<IngestRun> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const writer = identity.writers[c % identity.writers.length]!;
      const team = identity.groups[identity.writers.indexOf(writer) % identity.groups.length]!;
      while (next < options.count) {
        next += 1;
        const a = corpus.artifact();
        const input = { kind: a.kind, title: a.title, content: a.content, tags: a.tags, visibility: 'GROUP', sharedWithGroupIds: [team.globalId] };
        const t = performance.now();
        await api.request(writer.key, CREATE, { input });
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = secondsSince(start);
  const run = { clients: options.clients, artifacts: latencies.length, seconds, artifactsPerSecond: round(latencies.length / seconds, 1), latency: summarize(latencies) };
  progress(`  ingest, ${options.clients} client(s): ${run.artifacts} artifacts in ${seconds} s = ${run.artifactsPerSecond}/s (p50 ${run.latency.p50} ms)`);
  return run;
}
