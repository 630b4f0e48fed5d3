/**
 * HIVEGRAPH_CORS_ORIGINS: which browser origins may call the API (src/server/cors.ts).
 */

/** Allowed origins: `*` for any, else exact origins (`scheme://host[:port]`); empty = CORS off. */
export type CorsOrigins = '*' | readonly string[];

/**
 * Parses HIVEGRAPH_CORS_ORIGINS: comma-separated origins, or `*`.
 * @returns the normalised origins (lower-case host, no default port, no trailing slash)
 * @throws Error naming the first bad entry
 */
export function parseCorsOrigins(raw: string): CorsOrigins {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error('"*" allows every origin and cannot be combined with a list');
    return '*';
  }
  const origins = entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`"${entry}" is not an origin (expected scheme://host[:port], e.g. https://app.example.com)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${entry}": only http and https origins can be allowed`);
    if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      throw new Error(`"${entry}" is not an origin: no path, query or credentials (expected scheme://host[:port])`);
    }
    return url.origin;
  });
  return [...new Set(origins)];
}
