/**
 * Snapshot format version 2 (issue 15) carries sharing rules, users' default visibility and
 * how each artifact's visibility was decided; a version 1 file (from before) still imports, on
 * the run's deployment: its users get PRIVATE, its artifacts, CREATED revisions and
 * contributions EXPLICIT — what migration 0010 gives the rows of an upgraded database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_TABLES } from '../../src/store/repositories/snapshot-tables.ts';
import { seed } from './seed.ts';
import { exportText, importText, openInstallation, runDeployment, type Installation } from './support.ts';

const deployment = runDeployment();

/** `text` as Hivegraph before format version 2 wrote it: no v2 fields, no sharingRule records. */
function asVersion1(text: string): string {
  const added = new Map(SNAPSHOT_TABLES.map((t) => [t.type, t.columns.filter((c) => (c.since ?? 1) > 1).map((c) => c.field)]));
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    if (line['format'] !== undefined) out.push({ ...line, version: 1, source: { ...(line['source'] as object), schema: '0009' } });
    else if (line['type'] === 'sharingRule') continue;
    else if (line['type'] === 'end') {
      const { sharingRule: _dropped, ...counts } = line['counts'] as Record<string, number>;
      out.push({ type: 'end', counts });
    } else {
      const copy = { ...line };
      for (const field of added.get(line['type'] as never) ?? []) delete copy[field];
      out.push(copy);
    }
  }
  return out.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

describe(`snapshot format version 2, and version 1 files (${deployment})`, { timeout: 120_000 }, () => {
  let source: Installation;
  let target: Installation;
  let exported: string;

  beforeAll(async () => {
    source = await openInstallation(deployment);
    await seed(source);
    exported = await exportText(source);
    target = await openInstallation(deployment, { embedder: false });
  });

  afterAll(async () => {
    await target?.close();
    await source?.close();
  });

  it('version 2 carries the sharing rule, the default and each artifact’s visibilitySource', () => {
    const records = exported.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(records[0]).toMatchObject({ version: 2 });
    expect(records.filter((r) => r['type'] === 'sharingRule')).toEqual([
      expect.objectContaining({ codebase: 'hivegraph', tag: 'ruled', kind: null, apiKeyId: null, visibility: 'GROUP', priority: 3 }),
    ]);
    expect(records.find((r) => r['type'] === 'user' && r['handle'] === 'bob')).toMatchObject({ defaultVisibility: 'ORG' });
    const sources = records.filter((r) => r['type'] === 'artifact').map((r) => r['visibilitySource']);
    expect(new Set(sources)).toEqual(new Set(['EXPLICIT', 'RULE', 'DEFAULT']));
  });

  it('a version 1 file imports: PRIVATE defaults, EXPLICIT sources, no rules', async () => {
    const v1 = asVersion1(exported);
    expect(v1).not.toContain('visibilitySource');
    const outcome = await importText(target, v1);
    expect(outcome.written['sharingRule'] ?? 0).toBe(0);
    const { rows: users } = await target.sql.query<{ v: string; n: number }>('SELECT default_visibility AS v, count(*)::int AS n FROM users GROUP BY 1');
    expect(users.map((r) => r.v)).toEqual(['PRIVATE']);
    const { rows: artifacts } = await target.sql.query<{ v: string; rule: string | null }>('SELECT DISTINCT visibility_source AS v, sharing_rule_id AS rule FROM artifacts');
    expect(artifacts).toEqual([{ v: 'EXPLICIT', rule: null }]);
    const { rows: revisions } = await target.sql.query<{ change: string; v: string | null }>(
      'SELECT DISTINCT change, visibility_source AS v FROM artifact_revisions ORDER BY change',
    );
    expect(revisions).toEqual(
      [...new Set(revisions.map((r) => r.change))].sort().map((change) => ({ change, v: change === 'CREATED' ? 'EXPLICIT' : null })),
    );
    const { rows: contributions } = await target.sql.query<{ v: string }>('SELECT DISTINCT visibility_source AS v FROM contributions');
    expect(contributions).toEqual([{ v: 'EXPLICIT' }]);
    const { rows: rules } = await target.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM sharing_rules');
    expect(rules[0]!.n).toBe(0);
  });
});
