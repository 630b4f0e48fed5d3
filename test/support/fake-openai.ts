/**
 * A fake OpenAI-compatible embeddings server on 127.0.0.1 (`POST /v1/embeddings`), whose
 * vectors come from the hashing embedder. Tests script failures (status codes, hangs, wrong
 * dimensions) one request at a time.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashEmbed } from '../../src/embed/hashing.embedder.ts';

/** One scripted answer: a status (with headers and body), no answer at all, or vectors of the wrong length. */
export type Scripted = { status: number; headers?: Record<string, string>; body?: unknown } | 'hang' | 'wrong-dimension';

/** A fake OpenAI-compatible server whose embeddings come from the hashing embedder. */
export class FakeOpenAI {
  readonly requests: Array<{ authorization: string | undefined; input: string[] }> = [];
  /** Responses to give before behaving normally, one per request. */
  script: Scripted[] = [];
  /** When set, every request gets this answer (after the script is used up). */
  always: Scripted | undefined;
  private server: Server | undefined;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      res.writeHead(404).end();
      return;
    }
    const { input, model } = JSON.parse(raw) as { input: string[]; model: string };
    this.requests.push({ authorization: req.headers.authorization, input });
    const step = this.script.shift() ?? this.always;
    if (step === 'hang') return; // never answers: the client's timeout must fire
    if (step !== undefined && step !== 'wrong-dimension') {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(step.body ?? { error: 'scripted' }));
      return;
    }
    const dim = step === 'wrong-dimension' ? 383 : 384;
    // Shuffled order with explicit indexes: the client must sort by index.
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: Array.from(hashEmbed(text, dim), (x) => x * 3) })).reverse();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model, data }));
  }
}

