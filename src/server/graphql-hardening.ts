/**
 * GraphQL hardening shared by both transports (the token limit itself is graphql-js's
 * `parse(…, { maxTokens })`, set in server.ts for Apollo and websocket.ts for graphql-ws):
 *
 * - introspection by role (HIVEGRAPH_INTROSPECTION): a caller who may not introspect gets
 *   `GRAPHQL_VALIDATION_FAILED` for `__schema` / `__type` (graphql-js's
 *   NoSchemaIntrospectionCustomRule; `__typename` stays allowed);
 * - field-suggestion masking: while introspection is off for the caller, "Did you mean …?"
 *   is cut from error messages, so the schema cannot be guessed field by field;
 * - trusted documents (HIVEGRAPH_TRUSTED_DOCUMENTS): only operations whose document, printed
 *   canonically, equals one listed in the configured `.graphql` files run; any other is
 *   `FORBIDDEN` before it executes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, print, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../resolvers/index.ts';
import { ForbiddenError, StartupError } from '../shared/errors.ts';

/** Who may introspect: everyone, nobody, or keys of these roles. */
export type IntrospectionSetting = 'on' | 'off' | readonly string[];

/** Whether a caller of `role` (undefined: not authenticated) may introspect. */
export function mayIntrospect(setting: IntrospectionSetting, role: string | undefined): boolean {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return role !== undefined && setting.includes(role);
}

/** Errors for the introspection fields of `document` (empty when it has none). */
export function introspectionErrors(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
  return validate(schema, document, [NoSchemaIntrospectionCustomRule]).map(
    (e) =>
      new GraphQLError(`${e.message.replace(/\.$/, '')}: introspection is not allowed for this API key (HIVEGRAPH_INTROSPECTION).`, {
        nodes: e.nodes,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
  );
}

/** `message` without graphql-js's field, type and argument suggestions ("Did you mean …?"). */
export function maskSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

/** The set of trusted documents, printed canonically. */
export interface TrustedDocuments {
  /** Whether `document` (as parsed) is one of them. */
  has(document: DocumentNode): boolean;
  readonly size: number;
}

/**
 * Loads trusted documents from `.graphql` files and directories of them (not recursive).
 * @throws StartupError (configuration) naming an unreadable or unparseable file
 */
export async function loadTrustedDocuments(paths: readonly string[]): Promise<TrustedDocuments> {
  const printed = new Set<string>();
  for (const entry of paths) {
    let files: string[];
    try {
      files = (await stat(entry)).isDirectory()
        ? (await readdir(entry)).filter((f) => f.endsWith('.graphql')).sort().map((f) => path.join(entry, f))
        : [entry];
    } catch (error) {
      throw new StartupError(`HIVEGRAPH_TRUSTED_DOCUMENTS: cannot read ${entry}: ${error instanceof Error ? error.message : String(error)}`, { configuration: true });
    }
    for (const file of files) {
      try {
        printed.add(print(parse(await readFile(file, 'utf8'))));
      } catch (error) {
        throw new StartupError(`HIVEGRAPH_TRUSTED_DOCUMENTS: ${file}: ${error instanceof Error ? error.message : String(error)}`, { configuration: true });
      }
    }
  }
  return { has: (document) => printed.has(print(document)), size: printed.size };
}

/** The error for an operation that is not a trusted document. */
export function untrustedDocumentError(): GraphQLError {
  const error = new ForbiddenError('This server runs only trusted operations (HIVEGRAPH_TRUSTED_DOCUMENTS), and this one is not among them.');
  return new GraphQLError(error.message, { originalError: error, extensions: { code: error.code, http: { status: 403 } } });
}

/** The Apollo plugin applying trusted documents and introspection by role, once the operation is parsed and validated. */
export function hardeningPlugin(options: { introspection: IntrospectionSetting; trusted: TrustedDocuments | undefined }): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue, schema }) {
          if (options.trusted && !options.trusted.has(document)) throw untrustedDocumentError();
          if (!mayIntrospect(options.introspection, contextValue.viewer.role)) {
            const errors = introspectionErrors(schema, document);
            if (errors[0]) throw Object.assign(errors[0], { extensions: { ...errors[0].extensions, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
