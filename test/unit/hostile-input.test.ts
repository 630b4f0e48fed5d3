/**
 * The pure parts of the hostile-input defences (issue 20): JSON depth measured without
 * recursion, the services' own depth ceiling, text that no store can hold, the request-body
 * shape check, Accept negotiation for request errors, and the README promises of items 9-10.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config/config.ts';
import { requestBodyProblem } from '../../src/server/http-app.ts';
import { prefersLegacyJson } from '../../src/server/request-guard.ts';
import { checkJsonDepth, validMetadata } from '../../src/services/validate.ts';
import { BadUserInputError } from '../../src/shared/errors.ts';
import { badText, findBadText, JSON_DEPTH_CEILING, jsonDepth } from '../../src/shared/json.ts';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('JSON depth', () => {
  it('measures depth without recursion, also 100,000 levels deep', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth(nested(100_000))).toBe(100_000);
    expect(jsonDepth(nested(100_000), 64)).toBe(65);
  });

  it('the services refuse more than the ceiling with BAD_USER_INPUT (not a stack overflow), whatever the caller', () => {
    expect(() => validMetadata(nested(50_000))).toThrow(BadUserInputError);
    expect(() => validMetadata(nested(JSON_DEPTH_CEILING + 1), 'properties')).toThrow(/properties may nest at most 1000 levels/);
    expect(() => checkJsonDepth(nested(JSON_DEPTH_CEILING), 'manifest')).not.toThrow();
  });
});

describe('text no store can hold', () => {
  it('finds NUL and lone surrogates, keys included, with a path', () => {
    expect(badText('fine \u{1F600}')).toBeUndefined();
    expect(badText('a\u0000b')).toMatch(/NUL/);
    expect(badText('x\ud800')).toMatch(/surrogate/);
    expect(badText('\udc00x')).toMatch(/surrogate/);
    expect(findBadText({ a: [1, 'ok', { b: 'bad\u0000' }] })).toEqual({ path: 'a[2].b', reason: expect.stringMatching(/NUL/) });
    expect(findBadText({ ['k\ud800']: 1 })?.reason).toMatch(/in a key/);
    expect(findBadText(nested(100_000))).toBeUndefined();
  });
});

describe('request bodies', () => {
  it.each([
    [undefined, /JSON object/],
    [[{ query: '{ me { id } }' }], /Batched requests/],
    [{}, /empty/],
    [{ query: 42 }, /"query" must be a string/],
    [{ query: '{ a }', variables: '{}' }, /not a string \(do not JSON-encode it twice\)/],
    [{ query: '{ a }', variables: [] }, /"variables" must be a JSON object or null, not an array/],
    [{ query: '{ a }', extensions: 1 }, /"extensions"/],
    [{ query: '{ a }', operationName: 3 }, /"operationName" must be a string or null/],
  ])('explains what is wrong with %j', (body, message) => expect(requestBodyProblem(body)).toMatch(message));

  it('accepts a well-formed request, nulls included', () => {
    expect(requestBodyProblem({ query: '{ a }', variables: null, operationName: null, extensions: null })).toBeUndefined();
    expect(requestBodyProblem({ query: '{ a }', variables: { x: 1 } })).toBeUndefined();
  });
});

describe('Accept negotiation for request errors', () => {
  it.each([
    [undefined, true],
    ['application/json', true],
    ['*/*', true],
    ['application/graphql-response+json', false],
    ['application/graphql-response+json, application/json', false],
    ['application/json, application/graphql-response+json', true],
    ['application/json;q=0.5, application/graphql-response+json', false],
    ['application/graphql-response+json;q=0, application/json', true],
  ])('Accept %j prefers application/json: %s', (accept, legacy) => expect(prefersLegacyJson(accept)).toBe(legacy));
});

describe('README (items 9 and 10)', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('links the API reference in docs/, never ../shared', () => {
    expect(readme).not.toMatch(/\.\.\/shared\//);
    expect(readme).toContain('(docs/API.md)');
    expect(existsSync('docs/API.md')).toBe(true);
  });

  it('gives an MCP config that does not depend on the system Node, and explains the engine warnings', () => {
    const config = /```json\n(\{\n  "mcpServers"[\s\S]*?)```/.exec(readme)?.[1];
    const server = (JSON.parse(config!) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers['hivegraph']!;
    expect(server.command).toBe('npx');
    expect(server.args.slice(0, 2)).toEqual(['--prefix', '/path/to/hivegraph']);
    expect(readme).toMatch(/EBADENGINE/);
  });

  it('documents every configuration variable in the Configuration table', () => {
    for (const name of CONFIG_VARIABLES) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
