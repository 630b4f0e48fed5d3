/**
 * What one subscriber may read of an event's shared records (src/services/event-records.ts):
 * the `readable` string and the records it decodes to follow the visibility rules per record —
 * a deleted or invisible artifact reads as null, a relationship needs both ends, a contribution
 * follows the contribution access rule — and subscribers with equal strings get equal answers.
 */
import { describe, expect, it } from 'vitest';
import { readableFor, readableRecords, type EventRecords } from '../../src/services/event-records.ts';
import type { EventViewer } from '../../src/services/event-visibility.ts';
import type { ArtifactRecord, ContributionRecord, EventRecord, RelationshipRecord } from '../../src/store/records.ts';

const ORG = 'org-1';
const artifact = (id: string, over: Partial<ArtifactRecord> = {}) =>
  ({ id, orgId: ORG, ownerId: 'owner', visibility: 'ORG', deletedAt: null, title: id, ...over }) as ArtifactRecord;
const event = (over: Partial<EventRecord>): EventRecord => ({
  cursor: 1,
  orgId: ORG,
  type: 'ARTIFACT_CREATED',
  actorId: 'owner',
  artifactId: null,
  relationshipId: null,
  fromArtifactId: null,
  toArtifactId: null,
  contributionId: null,
  runId: null,
  occurredAt: new Date(0),
  subjects: [],
  contributionAccess: null,
  ...over,
});
const viewer = (userId: string, groups: string[] = [], role: EventViewer['role'] = 'MEMBER'): EventViewer => ({ orgId: ORG, userId, role, groupIds: new Set(groups) });

function records(over: Partial<EventRecords>): EventRecords {
  return { readId: 1, artifacts: new Map(), relationships: new Map(), contributions: new Map(), runs: new Map(), users: new Map(), ...over };
}

describe('readable records of a delivery', () => {
  it('artifacts: GROUP for members of a shared group and the owner; deleted for nobody', () => {
    const e = event({ artifactId: 'a' });
    const r = records({ artifacts: new Map([['a', { artifact: artifact('a', { visibility: 'GROUP' }), groupIds: ['g'] }]]) });
    expect(readableFor(viewer('member', ['g']), e, r)).toBe('1');
    expect(readableFor(viewer('owner'), e, r)).toBe('1');
    expect(readableFor(viewer('other', ['h']), e, r)).toBe('0');
    expect(readableFor(viewer('admin', [], 'ADMIN'), e, r)).toBe('0');
    expect(readableRecords({ event: e, records: r, readable: '0' }).artifacts).toEqual([['a', null]]);
    expect(readableRecords({ event: e, records: r, readable: '1' }).artifacts[0]![1]?.id).toBe('a');
    const deleted = records({ artifacts: new Map([['a', { artifact: artifact('a', { deletedAt: new Date() }), groupIds: [] }]]) });
    expect(readableFor(viewer('owner'), e, deleted)).toBe('0');
    // Not read at all (gone): null for everyone.
    expect(readableFor(viewer('owner'), e, records({}))).toBe('0');
  });

  it('relationships: both ends must be readable', () => {
    const rel = { id: 'r', orgId: ORG, fromId: 'f', toId: 't' } as RelationshipRecord;
    const e = event({ type: 'RELATIONSHIP_CREATED', relationshipId: 'r', fromArtifactId: 'f', toArtifactId: 't' });
    const r = records({
      artifacts: new Map([
        ['f', { artifact: artifact('f'), groupIds: [] }],
        ['t', { artifact: artifact('t', { visibility: 'PRIVATE', ownerId: 'me' }), groupIds: [] }],
      ]),
      relationships: new Map([['r', rel]]),
    });
    expect(readableFor(viewer('me'), e, r)).toBe('111');
    expect(readableFor(viewer('you'), e, r)).toBe('100');
    const decoded = readableRecords({ event: e, records: r, readable: '100' });
    expect(decoded.relationship).toEqual(['r', null]);
    expect(decoded.artifacts.map(([id, a]) => [id, a?.id ?? null])).toEqual([
      ['f', 'f'],
      ['t', null],
    ]);
  });

  it('contributions: reviewers, admins and the contributor; once APPROVED whoever its visibility admits', () => {
    const c = { id: 'c', orgId: ORG, contributorId: 'agent', status: 'PENDING', visibility: 'GROUP', sharedWithGroupIds: ['g'] } as ContributionRecord;
    const e = event({ type: 'CONTRIBUTION_SUBMITTED', contributionId: 'c' });
    const pending = records({ contributions: new Map([['c', c]]) });
    expect(readableFor(viewer('agent'), e, pending)).toBe('1');
    expect(readableFor(viewer('rev', [], 'REVIEWER'), e, pending)).toBe('1');
    expect(readableFor(viewer('member', ['g']), e, pending)).toBe('0');
    const approved = records({ contributions: new Map([['c', { ...c, status: 'APPROVED' }]]) });
    expect(readableFor(viewer('member', ['g']), e, approved)).toBe('1');
    expect(readableFor(viewer('member', ['h']), e, approved)).toBe('0');
    const otherOrg = records({ contributions: new Map([['c', { ...c, orgId: 'org-2' }]]) });
    expect(readableFor(viewer('rev', [], 'REVIEWER'), e, otherOrg)).toBe('0');
  });

  it('run and actor are the org\'s: the same for every subscriber', () => {
    const e = event({ type: 'RUN_UPDATED', runId: 'run', actorId: 'u' });
    const r = records({ runs: new Map([['run', { id: 'run' } as never]]), users: new Map([['u', { id: 'u' } as never]]) });
    expect(readableFor(viewer('x'), e, r)).toBe('');
    const decoded = readableRecords({ event: e, records: r, readable: '' });
    expect(decoded.run?.[1]).toEqual({ id: 'run' });
    expect(decoded.actor?.[1]).toEqual({ id: 'u' });
  });
});
