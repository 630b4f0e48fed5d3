import type { SearchHitRecord } from '../../store/records.ts';
import type { Loaders } from '../loaders.ts';
import { idOf } from '../ids.ts';
import type { QueryResolvers } from '../types.generated.ts';
import { filterValues } from './artifacts.ts';

/** Primes the artifact loader with the rows the search statement already returned. */
function primed(loaders: Loaders, hits: SearchHitRecord[]): SearchHitRecord[] {
  for (const hit of hits) if (!hit.artifact.deletedAt) loaders.artifact.prime(hit.artifact.id, hit.artifact);
  return hits;
}

/** `Query.search`: hybrid, vector or full-text search over visible artifacts. */
export const search: NonNullable<QueryResolvers['search']> = async (_parent, args, { services, viewer, loaders }) =>
  primed(
    loaders,
    await services.search.search(viewer, {
      query: args.query,
      mode: args.mode ?? 'HYBRID',
      filter: filterValues(args.filter),
      first: args.first ?? 10,
    }),
  );

/** `Query.similar`: nearest visible neighbours of an artifact's embedding. */
export const similar: NonNullable<QueryResolvers['similar']> = async (_parent, args, { services, viewer, loaders }) =>
  primed(
    loaders,
    await services.search.similar(viewer, idOf(args.id, 'Artifact', 'id'), { first: args.first ?? 10, filter: filterValues(args.filter) }),
  );
