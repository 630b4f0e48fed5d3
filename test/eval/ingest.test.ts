/**
 * How the harness turns BEIR documents into createArtifact inputs: names within the server's
 * limits, empty texts, clipping and metadata for mapping hits back.
 */
import { describe, expect, it } from 'vitest';
import { artifactInput, artifactName, clipUtf8 } from '../../eval/ingest.ts';

const options = { runId: 'r1', dataset: 'mini', maxContentBytes: 1024 };

describe('artifact inputs from BEIR documents', () => {
  it('maps title, text and id into an ORG document with the BEIR id in metadata', () => {
    const made = artifactInput({ id: 'd1', title: 'A  title\nsplit', text: 'Body text.' }, options);
    expect(made).toEqual({
      input: {
        name: 'eval:r1:d1',
        kind: 'document',
        title: 'A title split',
        content: 'Body text.',
        metadata: { beirId: 'd1', evalRun: 'r1', dataset: 'mini' },
        visibility: 'ORG',
      },
      clipped: false,
      titleAsContent: false,
    });
  });

  it('uses the title as content when the text is empty, and skips documents with neither', () => {
    const made = artifactInput({ id: 'd2', title: 'Only a title', text: '  ' }, options);
    expect('input' in made && made.input['content']).toBe('Only a title');
    expect('input' in made && made.titleAsContent).toBe(true);
    expect(artifactInput({ id: 'd3', title: '', text: '' }, options)).toEqual({ skip: 'empty text and title' });
  });

  it('omits an empty title, clips long content and titles, and drops NUL characters', () => {
    const made = artifactInput({ id: 'd4', title: 't'.repeat(600), text: `a\u0000${'é'.repeat(1000)}` }, options);
    if (!('input' in made)) throw new Error('skipped');
    expect((made.input['title'] as string).length).toBe(500);
    expect(Buffer.byteLength(made.input['content'] as string)).toBeLessThanOrEqual(1024);
    expect(made.input['content'] as string).not.toContain('\u0000');
    expect(made.clipped).toBe(true);
    const untitled = artifactInput({ id: 'd5', title: ' ', text: 'x' }, options);
    expect('input' in untitled && 'title' in untitled.input).toBe(false);
  });

  it('derives unique names of at most 200 characters from any id', () => {
    expect(artifactName('r1', 'plain-id_1')).toBe('eval:r1:plain-id_1');
    const long = artifactName('r1', 'x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(artifactName('r1', `${'x'.repeat(499)}y`));
    const spaced = artifactName('r1', 'a b\tc');
    expect(spaced).toMatch(/^eval:r1:a_b_c~[0-9a-f]{16}$/);
    expect(spaced).not.toBe(artifactName('r1', 'a_b_c'));
  });

  it('clips UTF-8 at a character boundary', () => {
    expect(clipUtf8('aé', 2)).toBe('a');
    expect(clipUtf8('aé', 3)).toBe('aé');
    expect(clipUtf8('😀😀', 5)).toBe('😀');
  });
});
