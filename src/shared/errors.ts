/**
 * The one error vocabulary of Hivegraph. Every layer throws these typed errors; the GraphQL
 * boundary (src/server/format-error.ts) turns them into `errors[].extensions.code` and masks
 * anything else as INTERNAL_SERVER_ERROR.
 */

/** Error codes as fixed by the API contract (shared/design/API.md). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/** One of the contract's error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error that may be shown to a client as it is. */
export class HivegraphError extends Error {
  /** The contract error code sent in `extensions.code`. */
  readonly code: ErrorCode;
  /** Extra, client-safe extension fields (e.g. `retryAfterSeconds`). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; extensions?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.extensions = options.extensions ?? {};
  }
}

/** No credentials, or credentials that match no active API key. */
export class UnauthenticatedError extends HivegraphError {
  constructor(message = 'A valid API key is required (Authorization: Bearer <key>).') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/** The caller is known but its role does not allow the operation. */
export class ForbiddenError extends HivegraphError {
  constructor(message = 'Not allowed.') {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** The thing does not exist, or the caller may not see it (the two are indistinguishable). */
export class NotFoundError extends HivegraphError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found.`);
  }
}

/** Input that fails validation; `field` names the offending argument when there is one. */
export class BadUserInputError extends HivegraphError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { extensions: { field } } : {});
  }
}

/** A uniqueness or optimistic-concurrency conflict. Nothing was changed. */
export class ConflictError extends HivegraphError {
  constructor(message: string, options: { cause?: unknown; constraint?: string } = {}) {
    super(ErrorCode.CONFLICT, message, {
      cause: options.cause,
      extensions: options.constraint ? { constraint: options.constraint } : {},
    });
  }
}

/** A backend (SQL, graph store, embedder) cannot be reached right now. */
export class ServiceUnavailableError extends HivegraphError {
  constructor(message: string, options: { cause?: unknown; extensions?: Record<string, unknown> } = {}) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, options);
  }
}

/** Type guard for errors that are safe to show to clients. */
export function isHivegraphError(error: unknown): error is HivegraphError {
  return error instanceof HivegraphError;
}

/**
 * Start-up cannot go on (unreachable database, port in use, unusable data directory).
 * The CLI prints its message alone, without a stack trace, and exits non-zero.
 */
export class StartupError extends Error {
  /** True when the configuration must change (the CLI exits 78), false for an unusable dependency (69). */
  readonly configuration: boolean;
  constructor(message: string, options: { cause?: unknown; configuration?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StartupError';
    this.configuration = options.configuration === true;
  }
}
