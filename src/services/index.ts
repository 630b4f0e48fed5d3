/**
 * The services container: one object holding every domain service, built once per process
 * from the store interfaces. Resolvers reach the domain only through it.
 */
import type { Logger } from '../shared/logger.ts';
import type { GraphStore, SqlClient } from '../store/types.ts';
import { createApiKeysService, type ApiKeysService } from './api-keys.service.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { createHealthService, type HealthService } from './health.service.ts';
import { createUsersService, type UsersService } from './users.service.ts';

export type { Viewer } from './viewer.ts';
export { ensureBootstrap, type BootstrapOutcome } from './bootstrap.service.ts';

/** Every domain service. */
export interface Services {
  auth: AuthService;
  apiKeys: ApiKeysService;
  users: UsersService;
  health: HealthService;
}

/** What the services are built from. */
export interface ServiceDeps {
  sql: SqlClient;
  graph: GraphStore;
  logger: Logger;
}

/** Builds the services container. */
export function createServices(deps: ServiceDeps): Services {
  return {
    auth: createAuthService(deps),
    apiKeys: createApiKeysService(deps),
    users: createUsersService(deps),
    health: createHealthService(deps),
  };
}
