import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asNode, fromGlobalId, nodeTypeOf, toGlobalId } from '../../src/resolvers/ids.ts';
import { formatError, MASKED_MESSAGE } from '../../src/server/format-error.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../src/services/api-key.ts';
import { parseBearer } from '../../src/services/auth.service.ts';
import { BadUserInputError, ConflictError, NotFoundError, ServiceUnavailableError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { translateSqlError } from '../../src/store/sql/translate-error.ts';

describe('translateSqlError', () => {
  it('turns unique violations into ConflictError with the constraint', () => {
    const translated = translateSqlError(Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'users_org_id_handle_key' }));
    expect(translated).toBeInstanceOf(ConflictError);
    expect((translated as ConflictError).extensions).toEqual({ constraint: 'users_org_id_handle_key' });
  });

  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [{ message: 'Connection terminated unexpectedly' }],
    [{ message: 'timeout exceeded when trying to connect' }],
  ])('turns connection loss %j into ServiceUnavailableError', (shape) => {
    expect(translateSqlError(Object.assign(new Error(shape.message), shape))).toBeInstanceOf(ServiceUnavailableError);
  });

  it('leaves other errors alone', () => {
    const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(translateSqlError(syntax)).toBe(syntax);
    const typed = new NotFoundError('Artifact');
    expect(translateSqlError(typed)).toBe(typed);
  });
});

describe('formatError (the error boundary)', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));

  it('keeps typed errors with their code, message and extensions', () => {
    const error = new GraphQLError('x', { originalError: new BadUserInputError('first must be at most 100.', 'first'), path: ['artifacts'] });
    const formatted = formatError(error.toJSON(), error, { logger });
    expect(formatted).toEqual({ message: 'first must be at most 100.', path: ['artifacts'], extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });

  it('keeps GraphQL validation errors as they are', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatError(error.toJSON(), error, { logger })).toMatchObject({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('masks unexpected errors and logs them with the request id', () => {
    lines.length = 0;
    const secretish = new Error('relation "users" does not exist at character 15');
    const error = new GraphQLError(secretish.message, { originalError: secretish, path: ['me'] });
    const formatted = formatError(error.toJSON(), error, { logger, requestId: 'req-123' });
    expect(formatted).toEqual({ message: MASKED_MESSAGE, path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' } });
    expect(lines.join('\n')).toMatch(/req-123.*relation \\"users\\" does not exist/);
  });

  it('masks an error that only pretends to be safe by wrapping a raw error', () => {
    const raw = new Error('pg: password authentication failed');
    const error = new GraphQLError('wrapped', { originalError: raw, extensions: { code: 'BAD_USER_INPUT' } });
    expect(formatError(error.toJSON(), error, { logger }).extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('global ids', () => {
  const uuid = '0b6e8f52-3c1d-4c55-9a43-6a1c8d2f9e10';
  it('round-trips and is opaque', () => {
    const id = toGlobalId('User', uuid);
    expect(id).not.toContain(uuid);
    expect(fromGlobalId(id)).toEqual({ type: 'User', id: uuid });
  });

  it.each(['', 'not-base64!', Buffer.from('User:not-a-uuid').toString('base64url'), Buffer.from(`Thing:${uuid}`).toString('base64url')])(
    'rejects malformed id %j as BAD_USER_INPUT',
    (id) => {
      expect(() => fromGlobalId(id)).toThrow(BadUserInputError);
    },
  );

  it('marks records with their node type without changing their fields', () => {
    const record = asNode('User', { id: uuid });
    expect(nodeTypeOf(record)).toBe('User');
    expect(Object.keys(record)).toEqual(['id']);
  });
});

describe('API keys', () => {
  it('generates distinct, prefixed, URL-safe keys', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^hg_[A-Za-z0-9_-]{43}$/);
  });

  it('stores a SHA-256 hex hash and an 8-character prefix, never the key', () => {
    const key = 'hg_exampleexampleexample';
    // The FIPS 180-2 test vector: SHA-256("abc").
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toBe(hashApiKey(`${key}x`));
    expect(apiKeyPrefix(key)).toBe('hg_examp');
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('parses %j as %j', (header, key) => {
    expect(parseBearer(header)).toBe(key);
  });
});
