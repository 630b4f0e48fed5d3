/**
 * Child-process entry of the floor benchmark's baseline: a plain Apollo Server 5 "hello" on
 * express 5 (`expressMiddleware` from `@as-integrations/express5`, `express.json()`, nothing
 * else), the smallest GraphQL server built from the same libraries as ours. Forked by
 * bench/floor.bench.ts with an IPC channel; answers `{ type: 'ready', graphqlUrl }` and closes
 * on `{ type: 'stop' }` or when the parent goes away. Never run by hand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

const apollo = new ApolloServer({
  typeDefs: 'type Query { hello: String! }',
  resolvers: { Query: { hello: () => 'world' } },
});
await apollo.start();
const app = express();
app.use('/graphql', express.json(), expressMiddleware(apollo));
const server = http.createServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const stop = async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await apollo.stop();
  process.exit(0);
};
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send?.({ type: 'ready', graphqlUrl: `http://127.0.0.1:${port}/graphql` });
