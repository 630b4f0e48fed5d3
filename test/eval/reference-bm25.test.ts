/**
 * The reference BM25 engine of the eval harness behaves as BM25 does: rare words outweigh
 * common ones (IDF), stems match (Porter), stop words do not count, any query word matches.
 */
import { describe, expect, it } from 'vitest';
import type { BeirDoc } from '../../eval/beir.ts';
import { buildReferenceBm25 } from '../../eval/reference-bm25.ts';

async function* docs(list: BeirDoc[]): AsyncGenerator<BeirDoc> {
  yield* list;
}

const CORPUS: BeirDoc[] = [
  { id: 'common1', title: 'Deploy notes', text: 'deploy the service deploy again deploy' },
  { id: 'common2', title: 'Deploy checklist', text: 'deploy steps for the deploy train' },
  { id: 'common3', title: 'More deploys', text: 'deploy deploy deploy' },
  { id: 'rare', title: 'Rollback', text: 'a rollback of the deploy' },
  { id: 'stem', title: 'Runner', text: 'the job runs nightly' },
  { id: 'stop', title: 'Of the', text: 'the the the of of and' },
];

describe('reference BM25 (MiniSearch + Porter + Lucene stop words)', () => {
  it('ranks the document with the rare query word first (IDF)', async () => {
    const engine = await buildReferenceBm25(docs(CORPUS));
    expect(engine.documents).toBe(CORPUS.length);
    const { rankings } = engine.rank([{ id: 'q', text: 'deploy rollback' }], 10);
    expect(rankings.get('q')![0]).toBe('rare');
    // OR: documents with only the common word are still returned, after it.
    expect(rankings.get('q')).toEqual(expect.arrayContaining(['common1', 'common2', 'common3']));
  });

  it('matches stems and ignores stop words', async () => {
    const engine = await buildReferenceBm25(docs(CORPUS));
    const { rankings } = engine.rank([{ id: 'stem', text: 'running' }, { id: 'stop', text: 'the of and' }], 10);
    expect(rankings.get('stem')).toEqual(['stem']);
    expect(rankings.get('stop')).toEqual([]);
  });

  it('returns at most `first` ids', async () => {
    const engine = await buildReferenceBm25(docs(CORPUS));
    expect(engine.rank([{ id: 'q', text: 'deploy' }], 2).rankings.get('q')).toHaveLength(2);
  });
});
