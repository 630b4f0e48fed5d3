/**
 * The services container: one object holding every domain service, built once per process
 * from the store interfaces. Resolvers reach the domain only through it.
 */
import type { Logger } from '../shared/logger.ts';
import type { GraphStore, SqlClient } from '../store/types.ts';
import { createApiKeysService, type ApiKeysService } from './api-keys.service.ts';
import { createArtifactsService, type ArtifactsService } from './artifacts.service.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { createCollectionsService, type CollectionsService } from './collections.service.ts';
import { createGraphProjector, type GraphProjector } from './graph-projector.ts';
import { createGraphService, type GraphService } from './graph.service.ts';
import { createGroupsService, type GroupsService } from './groups.service.ts';
import { createHealthService, type HealthService } from './health.service.ts';
import { createOrgsService, type OrgsService } from './orgs.service.ts';
import { createUsersService, type UsersService } from './users.service.ts';

export type { Viewer } from './viewer.ts';
export { ensureBootstrap, type BootstrapOutcome } from './bootstrap.service.ts';
export type { CreateArtifactInput, UpdateArtifactInput } from './artifacts.service.ts';
export type { CreatedApiKey } from './api-keys.service.ts';
export type { ArtifactFilterValues } from '../store/repositories/artifacts.repo.ts';

/** Every domain service. */
export interface Services {
  auth: AuthService;
  apiKeys: ApiKeysService;
  users: UsersService;
  groups: GroupsService;
  collections: CollectionsService;
  artifacts: ArtifactsService;
  graph: GraphService;
  /** Keeps the graph store in step with SQL; the server starts and stops it. */
  projector: GraphProjector;
  health: HealthService;
  orgs: OrgsService;
}

/** What the services are built from. */
export interface ServiceDeps {
  sql: SqlClient;
  graph: GraphStore;
  logger: Logger;
  /** Largest accepted artifact content, in bytes (HIVEGRAPH_MAX_CONTENT_BYTES). */
  maxContentBytes: number;
}

/** Builds the services container. */
export function createServices(deps: ServiceDeps): Services {
  const projector = createGraphProjector(deps);
  return {
    auth: createAuthService(deps),
    apiKeys: createApiKeysService(deps),
    users: createUsersService(deps),
    groups: createGroupsService(deps),
    collections: createCollectionsService(deps),
    artifacts: createArtifactsService({ ...deps, onGraphChange: () => projector.kick() }),
    graph: createGraphService({ ...deps, projector }),
    projector,
    health: createHealthService({ ...deps, projector }),
    orgs: createOrgsService(deps),
  };
}
