/**
 * Query limits: rejects operations that are too deep, too costly or use too many aliases
 * before anything executes, with `QUERY_TOO_COMPLEX` (HTTP 400).
 *
 * The measure is static (document, schema and variables only), so it is an upper bound:
 * every branch of an abstract selection counts, and a list is assumed to be full. Fragments
 * and inline fragments are expanded; `@skip`/`@include` are honoured. Each fragment is measured
 * once and its result reused, so a "fragment bomb" costs linear time, and a fragment cycle
 * (which validation rejects anyway) cannot loop.
 *
 * Introspection (`__schema`, `__type`) and `__typename` count toward neither depth nor cost;
 * the nesting of introspection queries is bounded by graphql-js's own
 * `MaxIntrospectionDepthRule`, part of the standard validation rules Apollo and graphql-ws run.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode, HivegraphError } from '../shared/errors.ts';

/** The limits one operation must stay within. */
export interface QueryLimits {
  /** Deepest chain of nested field selections. Default 12. */
  maxDepth: number;
  /** Largest estimated cost (see {@link measureOperation}). Default 100 000. */
  maxCost: number;
  /** Most aliased fields in the whole operation, fragments expanded. Default 30. */
  maxAliases: number;
  /** Assumed size of a list or connection whose size neither the query nor the schema gives. Default 10. */
  defaultListSize: number;
}

/** The limits used when none are configured. */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxCost: 100_000,
  maxAliases: 30,
  defaultListSize: 10,
});

/** Which limit an operation broke. */
export type QueryLimitName = 'depth' | 'cost' | 'aliases';

/** The operation exceeds a {@link QueryLimits} limit; `extensions` is `{ limit, max, actual }`. */
export class QueryTooComplexError extends HivegraphError {
  /** The limit that was exceeded. */
  readonly limit: QueryLimitName;

  constructor(limit: QueryLimitName, max: number, actual: number) {
    const shown = Math.min(actual, Number.MAX_SAFE_INTEGER);
    super(ErrorCode.QUERY_TOO_COMPLEX, `Query is too complex: its ${limit} is ${shown}, the maximum is ${max}.`, {
      extensions: { limit, max, actual: shown },
    });
    this.limit = limit;
  }
}

/** What {@link measureOperation} found. */
export interface OperationMeasure {
  /** Deepest chain of nested field selections (`{ a { b } }` is 2). */
  depth: number;
  /** Every field costs 1; a list or connection field multiplies its sub-selection's cost by its size. */
  cost: number;
  /** Aliased fields in the operation, fragments expanded (a fragment spread twice counts twice). */
  aliases: number;
}

const ZERO: OperationMeasure = { depth: 0, cost: 0, aliases: 0 };

/**
 * Measures the operation `operationName` (or the only one) of `document`.
 * A list field's size is its `first` (or `last`) argument — literal, variable or the
 * argument's schema default — else `defaultListSize`. A connection (a type named `…Connection`)
 * counts as a list of that size; the list fields inside it (`edges`, `nodes`) are not counted again.
 * @returns undefined when no operation can be selected (Apollo and graphql-ws report that themselves)
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  options: { defaultListSize: number } = DEFAULT_QUERY_LIMITS,
): OperationMeasure | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const root = schema.getRootType(operation.operation);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  // Bad variables fail execution anyway; measure with what the schema defaults give.
  const variableValues = coerced.coerced ?? {};

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measuredFragments = new Map<string, OperationMeasure | 'measuring'>();

  const included = (node: SelectionNode): boolean => {
    try {
      return (
        getDirectiveValues(GraphQLSkipDirective, node, variableValues)?.['if'] !== true &&
        getDirectiveValues(GraphQLIncludeDirective, node, variableValues)?.['if'] !== false
      );
    } catch {
      return true; // e.g. a missing variable: execution reports it; count the selection meanwhile
    }
  };

  const measureField = (node: FieldNode, parent: GraphQLNamedType | undefined): OperationMeasure => {
    const aliases = node.alias ? 1 : 0;
    const name = node.name.value;
    if (name.startsWith('__')) return { depth: 0, cost: 0, aliases };
    const field = fieldOf(parent, name);
    const type = field ? getNamedType(field.type) : undefined;
    const inner = node.selectionSet ? measureSelections(node.selectionSet, type) : ZERO;
    const multiplier = field && parent ? listSize(field, parent, node) : 1;
    return { depth: 1 + inner.depth, cost: 1 + multiplier * inner.cost, aliases: aliases + inner.aliases };
  };

  const listSize = (field: GraphQLField<unknown, unknown>, parent: GraphQLNamedType, node: FieldNode): number => {
    const isConnection = getNamedType(field.type).name.endsWith('Connection');
    const isList = isListType(getNullableType(field.type));
    if (!isConnection && (!isList || parent.name.endsWith('Connection'))) return 1;
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(field, node, variableValues);
    } catch {
      // Invalid arguments fail execution anyway.
    }
    // A batch mutation returns one item per input: its size is the number of inputs.
    if (Array.isArray(args['inputs'])) return args['inputs'].length;
    const sizes = [args['first'], args['last']].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return sizes.length > 0 ? Math.max(0, ...sizes) : options.defaultListSize;
  };

  const measureSelections = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): OperationMeasure => {
    const total = { depth: 0, cost: 0, aliases: 0 };
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      let part: OperationMeasure;
      if (selection.kind === Kind.FIELD) {
        part = measureField(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        part = measureSelections(selection.selectionSet, type ?? undefined);
      } else {
        part = measureFragment(selection.name.value);
      }
      total.depth = Math.max(total.depth, part.depth);
      total.cost += part.cost;
      total.aliases += part.aliases;
    }
    return total;
  };

  // A fragment's measure depends only on its own type condition and the variables: measure once.
  const measureFragment = (name: string): OperationMeasure => {
    const known = measuredFragments.get(name);
    if (known === 'measuring') return ZERO; // a cycle: validation rejects it, we just stop
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment) return ZERO;
    measuredFragments.set(name, 'measuring');
    const measure = measureSelections(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
    measuredFragments.set(name, measure);
    return measure;
  };

  return measureSelections(operation.selectionSet, root ?? undefined);
}

/** The field `name` of an object or interface type, if it has one. */
function fieldOf(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * Checks the selected operation against `limits` (depth first, then aliases, then cost).
 * Pure: no I/O, no state.
 * @throws QueryTooComplexError naming the first limit exceeded
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): void {
  const measure = measureOperation(schema, document, operationName, variables, limits);
  if (!measure) return;
  if (measure.depth > limits.maxDepth) throw new QueryTooComplexError('depth', limits.maxDepth, measure.depth);
  if (measure.aliases > limits.maxAliases) throw new QueryTooComplexError('aliases', limits.maxAliases, measure.aliases);
  if (measure.cost > limits.maxCost) throw new QueryTooComplexError('cost', limits.maxCost, measure.cost);
}

/**
 * {@link checkQueryLimits} for transports: returns the violation as a GraphQLError that wraps the
 * QueryTooComplexError (so the error boundary keeps its code and extensions) and carries HTTP
 * status 400 for Apollo. graphql-ws `onSubscribe` can return it as `[error]`.
 * @returns undefined when the operation is within the limits
 */
export function queryLimitsError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): GraphQLError | undefined {
  try {
    checkQueryLimits(schema, document, operationName, variables, limits);
    return undefined;
  } catch (error) {
    if (!(error instanceof QueryTooComplexError)) throw error;
    return new GraphQLError(error.message, {
      originalError: error,
      extensions: { ...error.extensions, code: error.code, http: { status: 400 } },
    });
  }
}

/**
 * Apollo Server plugin that enforces `limits` once the operation is parsed, validated and
 * resolved, before execution. A violation is answered with HTTP 400 and `QUERY_TOO_COMPLEX`.
 * @param limits defaults to {@link DEFAULT_QUERY_LIMITS}
 */
export function queryLimitsPlugin<TContext extends BaseContext = BaseContext>(
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const error = queryLimitsError(schema, document, request.operationName, request.variables, limits);
          if (error) throw error;
        },
      };
    },
  };
}
