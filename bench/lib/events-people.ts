/**
 * The events benchmark's people: ordinary `MEMBER` users of the bootstrap org, created through
 * GraphQL with the bootstrap admin key, each with a fresh `unlimited`-tier API key (so rate
 * limits never shape the measurement). Subscribers and writers are all org members, so every
 * `ORG` artifact event is visible to every subscriber.
 */

/** POSTs one GraphQL operation; throws on transport and GraphQL errors alike. */
export async function gqlRequest<D>(url: string, key: string, query: string, variables?: Record<string, unknown>): Promise<D> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D | null; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    throw new Error(`GraphQL ${response.status}: ${first ? `${first.extensions?.code ?? ''} ${first.message}` : 'no data'}`);
  }
  return body.data;
}

const CREATE_USER = 'mutation($h: String!) { createUser(input: { handle: $h, role: MEMBER }) { id } }';
const CREATE_KEY = 'mutation($u: ID!, $n: String!) { createApiKey(input: { userId: $u, name: $n, tier: "unlimited" }) { key } }';

/**
 * Creates `count` members named `<prefix>-<i>` and returns one API key each, in order,
 * `concurrency` at a time.
 */
export async function createMembers(url: string, adminKey: string, prefix: string, count: number, concurrency = 8): Promise<string[]> {
  const keys: string[] = new Array<string>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const user = await gqlRequest<{ createUser: { id: string } }>(url, adminKey, CREATE_USER, { h: `${prefix}-${i}` });
      const key = await gqlRequest<{ createApiKey: { key: string } }>(url, adminKey, CREATE_KEY, { u: user.createUser.id, n: `events benchmark ${prefix}-${i}` });
      keys[i] = key.createApiKey.key;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return keys;
}
