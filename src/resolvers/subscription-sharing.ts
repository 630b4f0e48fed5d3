/**
 * Which subscription documents give every subscriber the same result for the same delivery.
 *
 * A delivery's result depends on the viewer only through what its resolvers read with the
 * viewer. For the fields listed here it does not: leaves are pure functions of their record,
 * and the object fields below resolve from loaders that `Subscription.resolve` primes with the
 * delivery's records as the subscriber may read them (so the delivery's `readable` string
 * already captures the viewer). Any other object field (an artifact's owner, relationships,
 * revisions, groups…) reads with the viewer at execution time, and such a document is executed
 * per API key instead. Keep this list short and obviously right: a wrong entry would send one
 * subscriber's result to another.
 */
import {
  getNamedType,
  getNullableType,
  isLeafType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** Object-typed fields whose value, given a primed delivery, is the same for every viewer. */
const SHARED_OBJECT_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Subscription: new Set(['events', 'contributionReviewed']),
  Event: new Set(['artifact', 'relationship', 'contribution', 'run', 'actor']),
  Artifact: new Set(['provenance']),
};

/** Types whose leaf fields are all pure functions of the record (no resolver reads the viewer). */
const PURE_LEAF_TYPES: ReadonlySet<string> = new Set(['Event', 'Artifact', 'Provenance', 'Relationship', 'Contribution', 'Run', 'User']);

/**
 * True when executing `document` (a subscription) for one subscriber of a delivery gives the
 * result every subscriber with the same variables and the same `readable` string would get.
 */
export function sharedAcrossViewers(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  const root = schema.getSubscriptionType();
  if (!operation || operation.operation !== 'subscription' || !root) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const seen = new Set<string>();
  const check = (type: GraphQLObjectType, selections: SelectionSetNode): boolean => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        const field = type.getFields()[name];
        if (!field) return false;
        const fieldType = getNamedType(getNullableType(field.type));
        if (isLeafType(fieldType)) {
          if (!PURE_LEAF_TYPES.has(type.name)) return false;
          continue;
        }
        if (!SHARED_OBJECT_FIELDS[type.name]?.has(name) || !isObjectType(fieldType) || !selection.selectionSet) return false;
        if (!check(fieldType, selection.selectionSet)) return false;
      } else {
        const condition = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition : fragments.get(selection.name.value)?.typeCondition;
        if (condition && condition.name.value !== type.name) return false;
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (!check(type, selection.selectionSet)) return false;
        } else {
          const fragment = fragments.get(selection.name.value);
          if (!fragment) return false;
          const key = `${fragment.name.value}@${type.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (!check(type, fragment.selectionSet)) return false;
        }
      }
    }
    return true;
  };
  return check(root, operation.selectionSet);
}
