/**
 * How HYBRID's fusion was chosen (issue 19): ingests a BEIR dataset once into an in-memory
 * PGlite installation with the local model, takes each leg's ranked candidates per query at the
 * SQL layer (`searchArtifacts`, the statement search runs), and scores nDCG@10 of Reciprocal
 * Rank Fusion over a grid — RRF k, the text leg's weight, leg depth, and whether the text leg
 * matches all or any of a plain query's words — next to each leg alone.
 *
 *   node eval/fusion-sweep.ts --dataset eval/datasets/hivegraph-mini [--model-dir .models/all-MiniLM-L6-v2] [--json FILE]
 *
 * The fusion is recomputed here from the legs' ranks exactly as search.repo.ts does it
 * (score = Σ w_leg / (k + rank), ties by vector rank, then text rank).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbedder } from '../src/embed/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createServices, ensureBootstrap, registerEmbeddingModel, type Viewer } from '../src/services/index.ts';
import { migrate, openGraphStore, openMemorySqlClient } from '../src/store/open.ts';
import { searchArtifacts } from '../src/store/repositories/search.repo.ts';
import { openBeirDataset } from './beir.ts';
import { artifactInput } from './ingest.ts';
import { evaluateRun, type Ranking } from './metrics.ts';

const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'model-dir': { type: 'string', default: path.join(import.meta.dirname, '..', '.models', 'all-MiniLM-L6-v2') },
    json: { type: 'string' },
  },
  strict: true,
});
if (!args.dataset) throw new Error('--dataset DIR is required');

const DEPTH = 100;
const dataset = await openBeirDataset(args.dataset);
const sql = await openMemorySqlClient();
await migrate(sql);
await ensureBootstrap(sql, { bootstrapAdminKey: 'fusion-sweep-admin-key-0123456789' });
const embedder = await openEmbedder({ backend: 'local', modelDir: args['model-dir'] });
const model = await registerEmbeddingModel(sql, embedder);
const graph = await openGraphStore({ kind: 'sql' }, sql);
const services = createServices({ sql, graph, logger: createLogger('warn'), maxContentBytes: 1 << 20, embedding: { embedder, model } });
const { rows } = await sql.query<{ id: string; orgId: string }>(`SELECT u.id, u.org_id AS "orgId" FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.name = 'default' AND u.handle = 'admin'`);
const viewer: Viewer = { userId: rows[0]!.id, orgId: rows[0]!.orgId, handle: 'admin', role: 'ADMIN', keyId: 'sweep', keyPrefix: 'sweep', tier: 'unlimited' };

// Ingest.
const beirIdOf = new Map<string, string>();
let batch: { input: Record<string, unknown>; id: string }[] = [];
const flush = async () => {
  const made = await services.artifacts.createMany(viewer, batch.map((b) => b.input) as never);
  made.forEach((m, i) => beirIdOf.set(m.id, batch[i]!.id));
  batch = [];
};
for await (const doc of dataset.corpus()) {
  const made = artifactInput(doc, { runId: 'sweep', dataset: dataset.name, maxContentBytes: 1 << 20 });
  if ('skip' in made) continue;
  batch.push({ input: made.input, id: doc.id });
  if (batch.length === 30) await flush();
}
if (batch.length > 0) await flush();
process.stderr.write(`ingested ${beirIdOf.size} documents\n`);

// Each leg's ranked candidates per query.
type Legs = { vector: string[]; textAll: string[]; textAny: string[] };
const legs = new Map<string, Legs>();
for (const query of dataset.queries) {
  const [vector] = await embedder.embed([query.text]);
  const run = async (mode: 'VECTOR' | 'TEXT', textWords: 'ALL' | 'ANY') =>
    (await searchArtifacts(sql, viewer, { mode, text: query.text, vector, filter: {}, first: DEPTH, candidates: DEPTH, rrfK: 60, textWords })).map((h) => beirIdOf.get(h.artifact.id)!);
  legs.set(query.id, { vector: await run('VECTOR', 'ALL'), textAll: await run('TEXT', 'ALL'), textAny: await run('TEXT', 'ANY') });
}

/** RRF over the legs' ranks, as search.repo.ts fuses them. */
function fuse(vector: string[], text: string[], k: number, textWeight: number, depth: number): Ranking {
  const scored = new Map<string, { score: number; v: number; t: number }>();
  vector.slice(0, depth).forEach((id, i) => scored.set(id, { score: 1 / (k + i + 1), v: i + 1, t: Infinity }));
  text.slice(0, depth).forEach((id, i) => {
    const hit = scored.get(id) ?? { score: 0, v: Infinity, t: Infinity };
    scored.set(id, { score: hit.score + textWeight / (k + i + 1), v: hit.v, t: i + 1 });
  });
  return [...scored.entries()].sort((a, b) => b[1].score - a[1].score || a[1].v - b[1].v || a[1].t - b[1].t).map(([id]) => id);
}

const types = new Map(dataset.queries.map((q) => [q.id, q.type ?? 'all']));
function score(rankings: Map<string, Ranking>) {
  const run = evaluateRun(rankings, dataset.qrels);
  const byType: Record<string, number> = {};
  for (const type of new Set(types.values())) {
    const ids = [...run.perQuery.keys()].filter((id) => types.get(id) === type);
    byType[type] = ids.reduce((s, id) => s + run.perQuery.get(id)!.ndcg, 0) / ids.length;
  }
  return { ndcg: run.ndcg, byType };
}
const per = (pick: (l: Legs) => Ranking) => new Map([...legs].map(([id, l]) => [id, pick(l)]));

const results: { name: string; ndcg: number; byType: Record<string, number> }[] = [];
const add = (name: string, rankings: Map<string, Ranking>) => results.push({ name, ...score(rankings) });
add('VECTOR', per((l) => l.vector));
add('TEXT any-word', per((l) => l.textAny));
add('TEXT all-words', per((l) => l.textAll));
const allThenAny = (l: Legs) => [...l.textAll, ...l.textAny.filter((id) => !l.textAll.includes(id))];
add('TEXT all-words first, then any-word', per(allThenAny));
for (const words of ['ALL', 'ANY', 'ALL_THEN_ANY'] as const) {
  for (const depth of [20, 50, 100]) {
    for (const k of [5, 10, 20, 40, 60, 100]) {
      for (const w of [0.5, 0.75, 1, 1.25, 1.5, 2]) {
        add(`HYBRID text ${words} depth ${depth} k ${k} textWeight ${w}`, per((l) => fuse(l.vector, words === 'ALL' ? l.textAll : words === 'ANY' ? l.textAny : allThenAny(l), k, w, depth)));
      }
    }
  }
}
const best = [...results].sort((a, b) => b.ndcg - a.ndcg);
for (const r of [...results.slice(0, 4), ...best.filter((r) => !results.slice(0, 4).includes(r)).slice(0, 30)]) {
  process.stdout.write(`${r.ndcg.toFixed(4)}  ${Object.entries(r.byType).map(([t, v]) => `${t} ${v.toFixed(4)}`).join('  ')}  ${r.name}\n`);
}
const lookup = (name: string) => results.find((r) => r.name === name);
for (const name of ['HYBRID text ALL depth 100 k 60 textWeight 1', 'HYBRID text ANY depth 100 k 60 textWeight 1', 'HYBRID text ALL_THEN_ANY depth 100 k 60 textWeight 1', 'HYBRID text ANY depth 100 k 20 textWeight 1', 'HYBRID text ALL_THEN_ANY depth 100 k 20 textWeight 1']) {
  const r = lookup(name)!;
  process.stdout.write(`today-like: ${r.ndcg.toFixed(4)} ${name}\n`);
}
if (args.json) await writeFile(args.json, JSON.stringify({ dataset: dataset.name, depth: DEPTH, results, legs: Object.fromEntries(legs) }, null, 1));
await embedder.close();
await graph.close();
await sql.close();
