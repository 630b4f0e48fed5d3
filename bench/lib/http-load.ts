/**
 * A closed-loop HTTP load generator for GraphQL POSTs: `connections` workers on keep-alive
 * sockets, each sending the next request as soon as its answer is read, for a fixed time.
 * Every target of a benchmark is driven by the same generator, so their ratio compares the
 * servers, not the clients.
 */
import http from 'node:http';
import { summarize, type LatencyStats } from './harness.ts';

/** One target: where to POST and what. */
export interface LoadTarget {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** Checks one response body; a false answer counts as an error. */
  check?: (body: string) => boolean;
}

/** What a load run measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latency: LatencyStats;
}

/** Drives `target` with `connections` concurrent keep-alive requests for `seconds`. */
export async function runLoad(target: LoadTarget, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(target.url);
  const body = Buffer.from(target.body);
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length), ...target.headers };
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const once = () =>
    new Promise<boolean>((resolve) => {
      const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve(response.statusCode === 200 && (target.check?.(text) ?? true));
        });
        response.on('error', () => resolve(false));
      });
      request.on('error', () => resolve(false));
      request.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const ok = await once();
      latencies.push(performance.now() - t0);
      if (!ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: latencies.length, errors, seconds: Math.round(seconds * 100) / 100, requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10, latency: summarize(latencies) };
}
