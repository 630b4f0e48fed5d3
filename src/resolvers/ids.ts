/**
 * Global, opaque ids: base64url of `<Type>:<uuid>`. Clients must treat them as opaque;
 * resolvers decode them into the type and the record id services work with.
 */
import { BadUserInputError } from '../shared/errors.ts';

/** Types that have global ids. */
export const NODE_TYPES = ['User', 'Group', 'Collection', 'Artifact', 'ApiKey', 'Relationship', 'Contribution', 'Run', 'ContextPackage', 'SharingRule'] as const;

/** One of {@link NODE_TYPES}. */
export type NodeType = (typeof NODE_TYPES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Encodes a record id of `type` as a global id. */
export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a global id.
 * @param expected when given, the id must be of this type
 * @throws BadUserInputError when the id is malformed or of another type
 */
export function fromGlobalId(globalId: string, expected?: NodeType, argument = 'id'): { type: NodeType; id: string } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator) as NodeType;
  const id = decoded.slice(separator + 1);
  if (separator < 0 || !NODE_TYPES.includes(type) || !UUID.test(id)) {
    throw new BadUserInputError(`"${shortened(globalId)}" is not a valid Hivegraph id.`, argument);
  }
  if (expected && type !== expected) {
    throw new BadUserInputError(`Expected the id of a ${expected}, got the id of a ${type}.`, argument);
  }
  return { type, id };
}

/** Longest part of a client's value echoed in an error message. */
const ECHO_MAX = 64;

/** `value` as echoed in an error message: at most {@link ECHO_MAX} characters, then `…` and the full length. */
export function shortened(value: string): string {
  return value.length <= ECHO_MAX ? value : `${value.slice(0, ECHO_MAX)}… (${value.length} characters)`;
}

const NODE_TYPE = Symbol('hivegraph.nodeType');

/** Marks a record with its GraphQL type, so `Node.__resolveType` can tell. */
export function asNode<T extends object>(type: NodeType, record: T): T {
  Object.defineProperty(record, NODE_TYPE, { value: type, enumerable: false });
  return record;
}

/** The GraphQL type a record was marked with by {@link asNode}. */
export function nodeTypeOf(record: object): NodeType {
  const type = (record as { [NODE_TYPE]?: NodeType })[NODE_TYPE];
  if (!type) throw new Error('Node record was not marked with asNode()');
  return type;
}

/** Decodes a global id that must be of `type`, returning the record id. */
export function idOf(globalId: string, type: NodeType, argument: string): string {
  return fromGlobalId(globalId, type, argument).id;
}

/** Decodes optional/nullable global id lists (deduplicated, order kept). */
export function idsOf(globalIds: readonly string[] | null | undefined, type: NodeType, argument: string): string[] {
  return [...new Set((globalIds ?? []).map((g) => idOf(g, type, argument)))];
}
