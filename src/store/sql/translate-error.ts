/**
 * Translates driver errors (node-postgres and PGlite both surface Postgres SQLSTATE codes)
 * into Hivegraph's typed errors, so no raw driver error ever reaches a service or resolver.
 */
import { ConflictError, HivegraphError, ServiceUnavailableError } from '../../shared/errors.ts';

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

interface DriverErrorShape {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  message?: unknown;
}

/**
 * Maps a driver error to a typed error; returns other errors unchanged.
 * - 23505 unique_violation → ConflictError (with the constraint name)
 * - class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now), socket errnos
 *   and pg's "Connection terminated" → ServiceUnavailableError
 */
export function translateSqlError(error: unknown): unknown {
  if (error instanceof HivegraphError || typeof error !== 'object' || error === null) return error;
  const { code, constraint, message } = error as DriverErrorShape;
  const text = typeof message === 'string' ? message : '';
  if (code === '23505') {
    return new ConflictError('A record with the same unique key already exists.', {
      cause: error,
      ...(typeof constraint === 'string' ? { constraint } : {}),
    });
  }
  if (
    (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code) || CONNECTION_ERRNOS.has(code))) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(text)
  ) {
    return new ServiceUnavailableError('The SQL database is unavailable.', { cause: error });
  }
  return error;
}
