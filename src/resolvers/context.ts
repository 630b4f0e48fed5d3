/**
 * The GraphQL context every resolver receives. Built by the server per HTTP request and per
 * subscription operation (src/server/context.ts).
 */
import type { Services, Viewer } from '../services/index.ts';
import type { Loaders } from './loaders.ts';

/** What resolvers receive as `context`. */
export interface GraphQLContext {
  /** The authenticated caller (there is no anonymous access). */
  viewer: Viewer;
  services: Services;
  /** Fresh per request. */
  loaders: Loaders;
  /** Correlates logs and masked errors with this request. */
  requestId: string;
}
