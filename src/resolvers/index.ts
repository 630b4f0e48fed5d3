/**
 * The resolver map and the executable schema built from schema.graphql.
 */
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { ApiKey } from './ApiKey.ts';
import { Artifact, ArtifactRevision, Provenance } from './Artifact.ts';
import { Collection } from './Collection.ts';
import { Group, GroupMember } from './Group.ts';
import { nodeTypeOf } from './ids.ts';
import * as artifactMutations from './Mutation/artifacts.ts';
import * as identityMutations from './Mutation/identity.ts';
import * as relationshipMutations from './Mutation/relationships.ts';
import { artifact, artifacts } from './Query/artifacts.ts';
import { apiKeys, collections, groups, users } from './Query/directory.ts';
import { me } from './Query/me.ts';
import { node } from './Query/node.ts';
import { search, similar } from './Query/search.ts';
import { autoApproveRules, contributions } from './Query/contributions.ts';
import { events } from './Query/events.ts';
import { contextPackage, contextPackages, run, runs } from './Query/runs.ts';
import * as runMutations from './Mutation/runs.ts';
import * as sharingMutations from './Mutation/sharing.ts';
import { sharingRules } from './Query/sharingRules.ts';
import { SharingRule } from './SharingRule.ts';
import { ContextItem, ContextPackage, Run } from './Run.ts';
import * as contributionMutations from './Mutation/contributions.ts';
import { AutoApproveRule, Contribution, NearDuplicate } from './Contribution.ts';
import { Event } from './Event.ts';
import { Subscription } from './Subscription.ts';
import { shortestPath } from './Query/shortestPath.ts';
import { Relationship } from './Relationship.ts';
import { DateTimeScalar, JSONScalar, jsonScalar } from './scalars.ts';
import type { Resolvers } from './types.generated.ts';
import { User } from './User.ts';

export type { GraphQLContext } from './context.ts';
export { createLoaders, type Loaders } from './loaders.ts';

/** Path of the SDL that is the source of truth for the API. */
export const SCHEMA_PATH = new URL('../../schema.graphql', import.meta.url);

/** Every resolver, typed by codegen. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Node: { __resolveType: (record) => nodeTypeOf(record) },
  Query: { me, node, artifact, artifacts, shortestPath, search, similar, contributions, autoApproveRules, events, run, runs, contextPackage, contextPackages, users, groups, collections, apiKeys, sharingRules },
  Mutation: { ...artifactMutations, ...identityMutations, ...relationshipMutations, ...contributionMutations, ...runMutations, ...sharingMutations },
  Subscription,
  Contribution,
  NearDuplicate,
  AutoApproveRule,
  SharingRule,
  Event,
  Run,
  ContextPackage,
  ContextItem,
  User,
  Group,
  GroupMember,
  Collection,
  Artifact,
  ArtifactRevision,
  Provenance,
  ApiKey,
  Relationship,
};

/**
 * Builds the executable schema (SDL + resolvers).
 * @param options.maxJsonDepth deepest nesting a JSON argument may have (HIVEGRAPH_MAX_JSON_DEPTH; default 64)
 */
export function buildSchema(options: { maxJsonDepth?: number } = {}): GraphQLSchema {
  const json = options.maxJsonDepth === undefined ? JSONScalar : jsonScalar(options.maxJsonDepth);
  return makeExecutableSchema({ typeDefs: readFileSync(SCHEMA_PATH, 'utf8'), resolvers: { ...resolvers, JSON: json } });
}
