/**
 * The GraphQL-over-HTTP audit (graphql-http's server audits) against a real server on the
 * run's backends, authenticated with a bearer key: no MUST (error) or SHOULD (warning)
 * requirement may fail. MAY requirements (notices) are reported, not enforced.
 */
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

describe('GraphQL-over-HTTP audit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('shows 0 errors and 0 warnings', async () => {
    const results = await auditServer({
      url: server.graphqlUrl,
      fetchFn: (input: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${ADMIN_KEY}`);
        return fetch(input, { ...init, headers });
      },
    });
    const failed = results.filter((r) => r.status === 'error' || r.status === 'warn').map((r) => `${r.status}: ${r.name} (${'reason' in r ? r.reason : ''})`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });
});
