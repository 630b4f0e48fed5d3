/**
 * The client's IP address for the per-IP limits, the same for HTTP and WebSocket upgrades:
 * the socket's peer, or — through the proxies HIVEGRAPH_TRUST_PROXY trusts — the address
 * those proxies put in `X-Forwarded-For` (proxy-addr, as express's `trust proxy`).
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Resolves a request's client address. */
export type ClientIp = (req: IncomingMessage) => string;

/**
 * Creates the resolver for a `trust proxy` value: `false` (the peer; default), `true` (the
 * left-most forwarded address), a hop count, or comma-separated addresses, subnets and the
 * names `loopback`, `linklocal`, `uniquelocal`.
 */
export function clientIpResolver(trust: boolean | number | string): ClientIp {
  const fn: (addr: string, i: number) => boolean =
    trust === true
      ? () => true
      : trust === false
        ? () => false
        : typeof trust === 'number'
          ? (_addr, i) => i < trust
          : proxyaddr.compile(trust.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  return (req) => {
    try {
      return proxyaddr(req, fn);
    } catch {
      return req.socket.remoteAddress ?? 'unknown';
    }
  };
}
