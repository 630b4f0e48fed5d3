/**
 * HIVEGRAPH_CORS_ORIGINS parsing and its place in the configuration.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { parseCorsOrigins } from '../../src/config/cors-origins.ts';

describe('HIVEGRAPH_CORS_ORIGINS', () => {
  it('is off (no origins) by default', () => {
    expect(loadConfig({}).server.corsOrigins).toEqual([]);
  });

  it('takes comma-separated origins, normalised like browsers send them', () => {
    expect(parseCorsOrigins(' https://App.Example.com/ , http://localhost:5173,https://app.example.com:443')).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ HIVEGRAPH_CORS_ORIGINS: 'http://127.0.0.1:3000' }).server.corsOrigins).toEqual(['http://127.0.0.1:3000']);
  });

  it('takes * alone for every origin', () => {
    expect(parseCorsOrigins('*')).toBe('*');
    expect(() => parseCorsOrigins('*, https://a.example')).toThrow(/cannot be combined/);
  });

  it.each([
    ['a path', 'https://app.example.com/ui'],
    ['a query', 'https://app.example.com?x=1'],
    ['credentials', 'https://user:pw@app.example.com'],
    ['another scheme', 'file:///tmp'],
    ['no scheme', 'app.example.com'],
  ])('refuses an entry with %s, naming it in the configuration error', (_case, raw) => {
    let error: unknown;
    try {
      loadConfig({ HIVEGRAPH_CORS_ORIGINS: raw });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringContaining('HIVEGRAPH_CORS_ORIGINS:')]);
  });
});
