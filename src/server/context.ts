/**
 * Builds the GraphQL context: authenticates the caller and creates fresh DataLoaders. Called
 * per HTTP request and per WebSocket operation.
 */
import { randomUUID } from 'node:crypto';
import { createLoaders, type GraphQLContext } from '../resolvers/index.ts';
import type { Services, Viewer } from '../services/index.ts';

/** Request ids we accept from clients (`x-request-id`); anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request id: the client's `x-request-id` when well-formed, else a new UUID. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Builds a context for an already authenticated viewer. */
export function contextFor(services: Services, viewer: Viewer, requestId: string): GraphQLContext {
  return { viewer, services, loaders: createLoaders(services, viewer), requestId };
}
