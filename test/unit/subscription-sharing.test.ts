/**
 * The allow-list behind shared subscription executions (src/resolvers/subscription-sharing.ts):
 * only documents that read nothing per viewer — event fields and the leaves of the primed
 * subjects — are executed once for subscribers of different keys; anything else per key.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/resolvers/index.ts';
import { sharedAcrossViewers } from '../../src/resolvers/subscription-sharing.ts';

const schema = buildSchema();
const shared = (query: string, operationName?: string) => sharedAcrossViewers(schema, parse(query), operationName);

describe('sharedAcrossViewers', () => {
  it('shares event fields and the leaves of artifact, relationship, contribution, run, actor and provenance', () => {
    expect(shared('subscription { events { cursor type occurredAt artifactId relationshipId } }')).toBe(true);
    expect(shared('subscription { events { cursor type artifact { id title } } }')).toBe(true);
    expect(shared('subscription { events(types: [ARTIFACT_CREATED]) { __typename actor { handle } run { id status } relationship { id type } contribution { id status } } }')).toBe(true);
    expect(shared('subscription { events { artifact { provenance { sessionId runId } } } }')).toBe(true);
    expect(shared('subscription { contributionReviewed { id status title } }')).toBe(true);
    expect(shared('subscription S { events { ...E } } fragment E on Event { cursor artifact { ... on Artifact { title } } }', 'S')).toBe(true);
  });

  it('does not share anything that reads with the viewer at execution time', () => {
    expect(shared('subscription { events { artifact { id owner { handle } } } }')).toBe(false);
    expect(shared('subscription { events { artifact { relationships { edges { node { id } } } } } }')).toBe(false);
    expect(shared('subscription { events { artifact { collection { name } } } }')).toBe(false);
    expect(shared('subscription { events { relationship { from { title } } } }')).toBe(false);
    expect(shared('subscription { events { actor { groups { name } } } }')).toBe(false);
    expect(shared('subscription { events { run { inputs { title } } } }')).toBe(false);
    expect(shared('subscription { contributionReviewed { nearDuplicates { artifact { title } } } }')).toBe(false);
    expect(shared('subscription { events { ...E } } fragment E on Event { artifact { owner { handle } } }')).toBe(false);
  });

  it('does not share what it cannot place (a query, an unknown operation name)', () => {
    expect(shared('query { me { id } }')).toBe(false);
    expect(shared('subscription A { events { cursor } } subscription B { events { cursor } }')).toBe(false);
    expect(shared('subscription A { events { cursor } }', 'Z')).toBe(false);
  });
});
