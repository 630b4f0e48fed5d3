/**
 * A malformed or truncated snapshot is rejected with the line at fault and leaves the target
 * exactly as it was (every table counted before and after), on the run's deployment.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from './seed.ts';
import { countRows, exportText, importText, openInstallation, runDeployment, viewerOf, type Installation } from './support.ts';

const deployment = runDeployment();

/** A mutation of the good file: the new text and the line the import must name. */
interface Case {
  name: string;
  make: (lines: string[]) => { text: string; line: number };
  message: RegExp;
}

type Rec = Record<string, unknown>;
const parse = (line: string) => JSON.parse(line) as Rec;
/** 1-based number of the first line whose record matches. */
const lineOf = (lines: string[], match: (r: Rec) => boolean) => lines.findIndex((l) => match(parse(l))) + 1;
const join = (lines: string[]) => `${lines.join('\n')}\n`;
/** Replaces the record on line `n` (1-based) by `edit(record)`. */
const editLine = (lines: string[], n: number, edit: (r: Rec) => unknown) => {
  const copy = [...lines];
  copy[n - 1] = JSON.stringify(edit(parse(copy[n - 1]!)));
  return { text: join(copy), line: n };
};
const at = (type: string, nth = 0) => (lines: string[]) => {
  let seen = -1;
  return lineOf(lines, (r) => r['type'] === type && ++seen === nth);
};

const CASES: Case[] = [
  {
    name: 'a line that is not JSON',
    make: (lines) => {
      const n = at('artifact', 2)(lines);
      const copy = [...lines];
      copy[n - 1] = copy[n - 1]!.slice(0, 40);
      return { text: join(copy), line: n };
    },
    message: /not valid JSON/,
  },
  { name: 'an unknown record type', make: (l) => editLine(l, at('group')(l), (r) => ({ ...r, type: 'team' })), message: /unknown record type "team"/ },
  {
    name: 'a missing field',
    make: (l) => editLine(l, at('artifact', 1)(l), ({ kind: _kind, ...r }) => r),
    message: /artifact: missing field "kind"/,
  },
  { name: 'an unknown field', make: (l) => editLine(l, at('user', 1)(l), (r) => ({ ...r, password: 'x' })), message: /user: unknown field "password"/ },
  { name: 'a field of the wrong type', make: (l) => editLine(l, at('artifact')(l), (r) => ({ ...r, sizeBytes: '12' })), message: /"sizeBytes" must be a whole number/ },
  { name: 'a value outside its enumeration', make: (l) => editLine(l, at('artifact')(l), (r) => ({ ...r, visibility: 'SECRET' })), message: /"visibility" must be one of/ },
  {
    name: 'a dangling reference',
    make: (l) => editLine(l, at('relationship', 2)(l), (r) => ({ ...r, toId: randomUUID() })),
    message: /relationship: toId \S+ is not a artifact earlier in the file/,
  },
  {
    name: 'a reference to another org',
    make: (l) => {
      const acmeUser = parse(l[at('user', 6)(l) - 1]!);
      return editLine(l, at('artifact')(l), (r) => ({ ...r, ownerId: acmeUser['id'] }));
    },
    message: /ownerId \S+ is a user of another org/,
  },
  {
    name: 'a row the database refuses (CHECK constraint)',
    make: (l) => editLine(l, at('user', 3)(l), (r) => ({ ...r, handle: 'not a handle!' })),
    message: /user cannot be stored: .*check constraint/i,
  },
  {
    name: 'an embedding of the wrong dimension',
    make: (l) => editLine(l, at('artifact', 3)(l), (r) => ({ ...r, embedding: [0.5, 0.5] })),
    message: /embedding has 2 dimensions, the model 384/,
  },
  { name: 'a truncated file (no end record)', make: (l) => ({ text: join(l.slice(0, -1)), line: l.length }), message: /ends without its end record: it is truncated/ },
  {
    name: 'a file cut inside a record',
    make: (l) => {
      const cut = l.slice(0, -3);
      cut.push(l.at(-3)!.slice(0, 25));
      return { text: cut.join('\n'), line: cut.length };
    },
    message: /not valid JSON/,
  },
  {
    name: 'an end record whose counts differ',
    make: (l) => editLine(l, l.length, (r) => ({ ...r, counts: { ...(r['counts'] as Rec), artifact: 1 } })),
    message: /counts 1 artifact records, the file has \d+/,
  },
  { name: 'a record after the end record', make: (l) => ({ text: join([...l, l[3]!]), line: l.length + 1 }), message: /after the end record/ },
  { name: 'an unsupported format version', make: (l) => editLine(l, 1, (r) => ({ ...r, version: 3 })), message: /version 3 is not supported/ },
  { name: 'a file that is not a snapshot', make: (l) => ({ text: join(['{"hello":"world"}', ...l.slice(1)]), line: 1 }), message: /not a Hivegraph snapshot/ },
  { name: 'a schema newer than this Hivegraph', make: (l) => editLine(l, 1, (r) => ({ ...r, source: { backend: 'postgres', schema: '9999' } })), message: /newer than this Hivegraph/ },
  { name: 'an empty file', make: () => ({ text: '', line: 1 }), message: /the file is empty/ },
];

describe(`malformed and truncated snapshots (${deployment})`, { timeout: 120_000 }, () => {
  let source: Installation;
  let target: Installation;
  let fresh: Installation;
  let lines: string[];

  beforeAll(async () => {
    source = await openInstallation(deployment);
    await seed(source);
    lines = (await exportText(source)).trimEnd().split('\n');
    // A target that already holds data of its own (nothing the file collides with).
    target = await openInstallation(deployment);
    const other = await target.services.orgs.create('other');
    await target.services.artifacts.create(viewerOf(other.admin), { kind: 'note', content: 'Already here.', visibility: 'ORG' });
    // And one that is fresh: no model registered, so a rejected import must also undo the adoption.
    fresh = await openInstallation(deployment, { embedder: false });
  });

  afterAll(async () => {
    await fresh?.close();
    await target?.close();
    await source?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('rejects %s with its line number and changes nothing', async (_name, c) => {
    const { text, line } = c.make(lines);
    for (const inst of [target, fresh]) {
      const before = await countRows(inst.sql);
      const error = await importText(inst, text).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'the import must fail').toBeInstanceOf(Error);
      expect(error).toMatchObject({ line, message: expect.stringMatching(new RegExp(`^line ${line}: `)) });
      expect((error as Error).message).toMatch(c.message);
      expect(await countRows(inst.sql)).toEqual(before);
    }
    const { rows } = await fresh.sql.query<{ n: number }>('SELECT count(*) AS n FROM embedding_models');
    expect(rows[0]!.n).toBe(0);
  });

  it('still imports the unmodified file into both afterwards', async () => {
    const text = `${lines.join('\n')}\n`;
    for (const inst of [target, fresh]) {
      const outcome = await importText(inst, text);
      expect(outcome.written['artifact']).toBeGreaterThan(0);
    }
  });
});
