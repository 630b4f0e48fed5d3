/**
 * The eval harness's pure parts: nDCG@k / recall@k against hand-computed values (trec_eval's
 * definitions, as BEIR uses them), and the BEIR reader on good and malformed input.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeirFormatError, openBeirDataset, readCorpus } from '../../eval/beir.ts';
import { dcg, evaluateRun, mean, ndcgAtK, recallAtK } from '../../eval/metrics.ts';

const j = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('nDCG@k', () => {
  it('uses the graded relevance as gain with a log2(rank + 1) discount', () => {
    // DCG = 0/log2 2 + 2/log2 3 + 1/log2 4 = 1.761860; ideal = 2/log2 2 + 1/log2 3 = 2.630930
    expect(ndcgAtK(['x', 'a', 'b'], j({ a: 2, b: 1, c: 0 }), 10)).toBeCloseTo(0.66967181649423, 12);
    expect(dcg([3, 2, 3, 0, 1, 2], 6)).toBeCloseTo(3 + 2 / Math.log2(3) + 3 / 2 + 0 + 1 / Math.log2(6) + 2 / Math.log2(7), 12);
  });

  it('is 1 for the ideal ordering and 0 when nothing relevant is returned', () => {
    expect(ndcgAtK(['a', 'b', 'c'], j({ a: 2, b: 1, c: 1 }), 10)).toBeCloseTo(1, 12);
    expect(ndcgAtK(['a', 'c', 'b'], j({ a: 2, b: 1, c: 1 }), 10)).toBeCloseTo(1, 12); // equal gains tie
    expect(ndcgAtK(['x', 'y'], j({ a: 2 }), 10)).toBe(0);
    expect(ndcgAtK([], j({ a: 2 }), 10)).toBe(0);
  });

  it('counts relevant documents missing from the ranking in the ideal', () => {
    // rels a:2 b:1 c:1; ranking b, z, a. DCG = 1 + 0 + 2/log2 4 = 2; ideal = 2 + 1/log2 3 + 1/log2 4
    expect(ndcgAtK(['b', 'z', 'a'], j({ a: 2, b: 1, c: 1 }), 3)).toBeCloseTo(0.6387878864795979, 12);
    // Cut at 2: DCG = 1; ideal = 2 + 1/log2 3 — c is never returned but still counts.
    expect(ndcgAtK(['b', 'z', 'a'], j({ a: 2, b: 1, c: 1 }), 2)).toBeCloseTo(0.38009376671593426, 12);
  });

  it('handles rankings shorter than k, duplicates and non-positive judgements', () => {
    expect(ndcgAtK(['a'], j({ a: 1 }), 10)).toBe(1);
    // A duplicate counts once: [b, b, a] scores like [b, a].
    expect(ndcgAtK(['b', 'b', 'a'], j({ a: 2, b: 1 }), 10)).toBeCloseTo(ndcgAtK(['b', 'a'], j({ a: 2, b: 1 }), 10), 12);
    // Relevance 0 and negative relevance give no gain and no ideal gain.
    expect(ndcgAtK(['n', 'z', 'a'], j({ a: 1, n: -1, z: 0 }), 10)).toBeCloseTo(1 / Math.log2(4), 12);
    expect(ndcgAtK(['a'], j({ a: 0 }), 10)).toBe(0);
  });
});

describe('recall@k', () => {
  it('is the share of relevant documents in the first k', () => {
    expect(recallAtK(['x', 'a', 'b'], j({ a: 2, b: 1, c: 0 }), 2)).toBe(0.5);
    expect(recallAtK(['x', 'a', 'b'], j({ a: 2, b: 1, c: 0 }), 100)).toBe(1);
    expect(recallAtK(['a'], j({ a: 1, b: 1, c: 2 }), 100)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(['a', 'a', 'a'], j({ a: 1, b: 1 }), 100)).toBe(0.5);
    expect(recallAtK(['a'], j({ a: 0 }), 100)).toBe(0);
  });
});

describe('evaluateRun', () => {
  it('averages over queries with a relevant judgement only; missing rankings count as empty', () => {
    const qrels = new Map([
      ['q1', j({ a: 1 })], // ranked first: nDCG 1, recall 1
      ['q2', j({ b: 2, c: 1 })], // ranked [c]: nDCG (1) / (2 + 1/log2 3), recall 0.5
      ['q3', j({ d: 0 })], // no relevant document: left out
      ['q4', j({ e: 1 })], // not in the run: 0, 0
    ]);
    const rankings = new Map([
      ['q1', ['a', 'x']],
      ['q2', ['c']],
      ['q3', ['d']],
    ]);
    const m = evaluateRun(rankings, qrels);
    expect(m.queries).toBe(3);
    expect([...m.perQuery.keys()]).toEqual(['q1', 'q2', 'q4']);
    expect(m.ndcg).toBeCloseTo((1 + 1 / (2 + 1 / Math.log2(3)) + 0) / 3, 12);
    expect(m.recall).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
    expect(m.ndcgK).toBe(10);
    expect(m.recallK).toBe(100);
  });

  it('mean of nothing is 0', () => {
    expect(mean([])).toBe(0);
    expect(evaluateRun(new Map(), new Map()).ndcg).toBe(0);
  });
});

describe('BEIR reader', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hg-beir-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let n = 0;
  /** Writes a dataset directory; each file defaults to a small valid one. */
  async function dataset(files: { corpus?: string; queries?: string; qrels?: string | null } = {}): Promise<string> {
    n += 1;
    const dir = path.join(root, `ds${n}`);
    await mkdir(path.join(dir, 'qrels'), { recursive: true });
    await writeFile(path.join(dir, 'corpus.jsonl'), files.corpus ?? '{"_id":"d1","title":"T","text":"one"}\n{"_id":"d2","text":"two"}\n');
    await writeFile(path.join(dir, 'queries.jsonl'), files.queries ?? '{"_id":"q1","text":"first"}\n');
    if (files.qrels !== null) await writeFile(path.join(dir, 'qrels', 'test.tsv'), files.qrels ?? 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
    return dir;
  }
  async function corpus(dir: string) {
    const docs = [];
    for await (const doc of (await openBeirDataset(dir)).corpus()) docs.push(doc);
    return docs;
  }
  async function failure(promise: Promise<unknown>): Promise<BeirFormatError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BeirFormatError);
    return error as BeirFormatError;
  }

  it('reads corpus, queries and graded qrels; tolerates a BOM, CRLF, blank lines and numeric ids', async () => {
    const dir = await dataset({
      corpus: '\uFEFF{"_id":"d1","title":"T","text":"one","metadata":{"x":1}}\r\n\r\n{"_id":7,"text":""}\r\n',
      queries: '{"_id":"q1","text":"first"}\n{"_id":"q2","text":"unjudged"}\n{"_id":3,"text":"third"}\n',
      qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t7\t0\n3\td1\t1\nq9\td1\t1\n',
    });
    const ds = await openBeirDataset(dir);
    expect(ds.name).toBe(path.basename(dir));
    expect(ds.queries).toEqual([
      { id: 'q1', text: 'first' },
      { id: '3', text: 'third' },
    ]);
    expect(ds.qrels.get('q1')).toEqual(new Map([['d1', 2], ['7', 0]]));
    expect(ds.queriesWithoutText).toEqual(['q9']);
    expect(await corpus(dir)).toEqual([
      { id: 'd1', title: 'T', text: 'one' },
      { id: '7', title: '', text: '' },
    ]);
  });

  it('accepts qrels without a header', async () => {
    const ds = await openBeirDataset(await dataset({ qrels: 'q1\td1\t1\n' }));
    expect(ds.qrels.get('q1')?.get('d1')).toBe(1);
  });

  it('names file and line of malformed corpus lines', async () => {
    const bad = async (corpusText: string, line: number, message: RegExp) => {
      const dir = await dataset({ corpus: corpusText });
      const error = await failure(corpus(dir));
      expect(error.file).toBe(path.join(dir, 'corpus.jsonl'));
      expect(error.line).toBe(line);
      expect(error.message).toMatch(message);
      expect(error.message).toContain(`corpus.jsonl:${line}:`);
    };
    await bad('{"_id":"d1","text":"x"}\n{"_id":"d2" "text":"y"}\n', 2, /invalid JSON/);
    await bad('{"_id":"d1","text":"x"}\n\n["d2"]\n', 3, /expected a JSON object/);
    await bad('{"text":"x"}\n', 1, /missing "_id"/);
    await bad('{"_id":"d1"}\n', 1, /missing "text"/);
    await bad('{"_id":"d1","text":5}\n', 1, /"text" must be a string/);
    await bad('{"_id":"d1","text":"x","title":["t"]}\n', 1, /"title" must be a string/);
    await bad('{"_id":"d1","text":"x"}\n{"_id":"d1","text":"y"}\n', 2, /duplicate _id "d1"/);
  });

  it('names file and line of malformed queries and qrels', async () => {
    let error = await failure(openBeirDataset(await dataset({ queries: '{"_id":"q1","text":"a"}\n{"_id":"q2"}\n' })));
    expect(error.message).toMatch(/queries\.jsonl:2: query "q2" has no "text"/);
    error = await failure(openBeirDataset(await dataset({ qrels: 'query-id\tcorpus-id\tscore\nq1 d1 1\n' })));
    expect(error.message).toMatch(/test\.tsv:2: expected 3 tab-separated columns/);
    error = await failure(openBeirDataset(await dataset({ qrels: 'q1\td1\t1\nq1\td2\t0.5\n' })));
    expect(error.message).toMatch(/test\.tsv:2: score must be an integer, got "0\.5"/);
    error = await failure(openBeirDataset(await dataset({ qrels: 'q1\t\t1\n' })));
    expect(error.message).toMatch(/test\.tsv:1: empty query-id or corpus-id/);
  });

  it('reports a missing directory, file or split', async () => {
    let error = await failure(openBeirDataset(path.join(root, 'nope')));
    expect(error.message).toMatch(/not a directory/);
    error = await failure(openBeirDataset(await dataset({ qrels: null })));
    expect(error.file).toMatch(/qrels[/\\]test\.tsv$/);
    expect(error.message).toMatch(/missing/);
    error = await failure(openBeirDataset(await dataset(), { split: 'dev' }));
    expect(error.file).toMatch(/qrels[/\\]dev\.tsv$/);
  });

  it('streams the corpus lazily: an error after the first document surfaces only when reached', async () => {
    const dir = await dataset({ corpus: '{"_id":"d1","text":"x"}\nnot json\n' });
    const it = readCorpus(path.join(dir, 'corpus.jsonl'));
    expect((await it.next()).value).toEqual({ id: 'd1', title: '', text: 'x' });
    await failure(it.next());
  });
});
