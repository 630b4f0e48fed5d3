/**
 * Per-request DataLoaders: built fresh for every HTTP request and every subscription
 * operation, so caching never crosses callers. Every to-one and to-many field loads through
 * one of these, so a list of N objects costs a fixed number of statements.
 */
import DataLoader from 'dataloader';
import type { Services, Viewer } from '../services/index.ts';
import type { UserRecord } from '../store/records.ts';

/** The loaders of one request. */
export interface Loaders {
  /** Users of the viewer's org by id; other orgs' users read as null. */
  user: DataLoader<string, UserRecord | null>;
}

/** Builds the loaders for one request of `viewer`. */
export function createLoaders(services: Services, viewer: Viewer): Loaders {
  return {
    user: new DataLoader(async (ids) => (await services.users.getByIds(viewer, ids)).map((u) => u ?? null)),
  };
}
