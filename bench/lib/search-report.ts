/**
 * The search benchmark's result shapes and its summary tables (Markdown, on stdout).
 */
import { ms, round, type LatencyStats } from './harness.ts';
import type { DatasetDescription, LoadTimings } from './search-dataset.ts';
import type { EmbeddingRate } from './search-embedding-rate.ts';
import type { IngestRun } from './search-ingest.ts';
import type { RecallSummary } from './search-measure.ts';

/** candidate / baseline of p50, p99 and mean. */
export interface Ratio {
  p50: number;
  p99: number;
  mean: number;
}

/** One search mode for one viewer, at three layers. */
export interface SearchResult {
  mode: string;
  viewer: string;
  queries: number;
  layers: { sql: LatencyStats; service: LatencyStats; graphql: LatencyStats };
  ratio: { graphqlToSql: Ratio; serviceToSql: Ratio };
  /** Queries whose hit ids were identical between layers. */
  agreement: { sqlGraphql: { compared: number; identical: number }; sqlService: { compared: number; identical: number } };
  /** Hits per query at the SQL layer: mean, and queries with none / with all `first`. */
  results: { mean: number; empty: number; full: number };
}

/** The vector leg at one setting, against the exact scan. */
export interface VectorVariantResult {
  name: string;
  efSearch: number;
  iterativeScan: string;
  latency: LatencyStats;
  ratioToExact: Ratio;
  recall: RecallSummary;
}

/** What the summary prints. */
export interface SummaryInput {
  dataset: DatasetDescription & { textMatchesPerQuery: { p50: number; p99: number; max: number; none: number } };
  load: LoadTimings | null;
  search: SearchResult[];
  graphqlFloor: LatencyStats;
  vectorLeg: { viewer: string; exact: LatencyStats; variants: VectorVariantResult[] }[];
  ingest: { graphql: IngestRun[] };
  embedding: EmbeddingRate;
  totalSeconds: number;
  process: { peakRssMiB: number };
}

const ratio = (value: number) => value.toFixed(2);

/** Prints the latency, recall and rate tables. */
export function printSummary(r: SummaryInput): void {
  const d = r.dataset;
  console.log(
    `\n${d.artifacts.toLocaleString('en')} artifacts (${d.groups} teams), PostgreSQL ${d.postgres}, pgvector ${d.pgvector}; ` +
      `viewer "everyone" sees ${d.visibleToEveryone.toLocaleString('en')}, "selective" ${d.visibleToSelective.toLocaleString('en')} (${round(d.selectiveShare * 100, 1)} %)\n`,
  );
  const m = d.textMatchesPerQuery;
  console.log(`full-text matches per query: p50 ${m.p50}, p99 ${m.p99}, max ${m.max}; ${m.none} queries match nothing\n`);
  console.log('| mode | viewer | SQL p50 | SQL p99 | service p50 | GraphQL p50 | GraphQL p99 | GraphQL/SQL p50 | GraphQL/SQL p99 | mean hits | same ids (SQL = GraphQL) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.search) {
    const { sql, service, graphql } = s.layers;
    console.log(
      `| ${s.mode} | ${s.viewer} | ${ms(sql.p50)} | ${ms(sql.p99)} | ${ms(service.p50)} | ${ms(graphql.p50)} | ${ms(graphql.p99)} | ` +
        `${ratio(s.ratio.graphqlToSql.p50)} | ${ratio(s.ratio.graphqlToSql.p99)} | ${round(s.results.mean, 1)} | ${s.agreement.sqlGraphql.identical}/${s.agreement.sqlGraphql.compared} |`,
    );
  }
  console.log(`\nGraphQL floor (\`{ __typename }\`: HTTP, key look-up, parse, execute): p50 ${ms(r.graphqlFloor.p50)} ms, p99 ${ms(r.graphqlFloor.p99)} ms`);
  console.log('\n| vector leg | viewer | p50 | p99 | ÷ exact p50 | recall@10 | min recall | queries with < 10 hits |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const v of r.vectorLeg) {
    console.log(`| exact scan (baseline) | ${v.viewer} | ${ms(v.exact.p50)} | ${ms(v.exact.p99)} | 1.00 | 1 | 1 | |`);
    for (const x of v.variants) {
      console.log(
        `| ${x.name} | ${v.viewer} | ${ms(x.latency.p50)} | ${ms(x.latency.p99)} | ${ratio(x.ratioToExact.p50)} | ${x.recall.meanRecall.toFixed(3)} | ${x.recall.minRecall} | ${x.recall.shortAnswers} |`,
      );
    }
  }
  console.log('');
  if (r.load) {
    console.log(
      `bulk load: ${r.load.insertRowsPerSecond.toLocaleString('en')} artifacts/s (${r.load.insertSeconds} s, of which generating ${r.load.generateSeconds} s); ` +
        `HNSW build ${r.load.hnswBuildSeconds} s; VACUUM ANALYZE ${r.load.vacuumAnalyzeSeconds} s`,
    );
  }
  for (const run of r.ingest.graphql) {
    console.log(`createArtifact over GraphQL, ${run.clients} client(s): ${run.artifactsPerSecond}/s (p50 ${ms(run.latency.p50)} ms, p99 ${ms(run.latency.p99)} ms)`);
  }
  const e = r.embedding;
  if ('skipped' in e) console.log(`local embedding rate: skipped (${e.skipped})`);
  else {
    console.log(
      `local model: ${e.textsPerSecond} texts/s overall, ${e.medianBatchTextsPerSecond} at the median batch (${e.meanTokens} tokens, batch ${e.batchSize}); ` +
        `one query ${ms(e.queryLatency.p50)} ms p50; hashing ${e.hashingTextsPerSecond.toLocaleString('en')} texts/s`,
    );
  }
  console.log(`HNSW index ${d.hnswIndexMiB} MiB, table ${d.tableMiB} MiB; peak RSS ${r.process.peakRssMiB} MiB; total ${r.totalSeconds} s`);
}
