/**
 * The logger: one JSON object per line (pino), levels, the request id of the current request
 * in every line, and secrets redacted from fields, messages and error texts.
 */
import { describe, expect, it } from 'vitest';
import { runInRequestScope } from '../../src/server/request-scope.ts';
import { createLogger, redactText, REDACTED, type LogLevel } from '../../src/shared/logger.ts';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => lines.push(line));
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

const KEY = 'hg_Q2xhdWRlIGlzIGEgZ29vZCBib3QgYW5kIGtleQ1234abcd';

describe('logger', () => {
  it('writes one JSON object per line with level, ISO time, message and fields', () => {
    const { logger, lines, records } = capture();
    logger.info('started', { port: 4000 });
    logger.warn('careful');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain('\n');
    const [first, second] = records();
    expect(first).toMatchObject({ level: 'info', msg: 'started', port: 4000 });
    expect(new Date(String(first?.['time'])).toISOString()).toBe(first?.['time']);
    expect(second).toMatchObject({ level: 'warn', msg: 'careful' });
  });

  it('drops records below its level; silent writes nothing', () => {
    const warn = capture('warn');
    warn.logger.debug('d');
    warn.logger.info('i');
    warn.logger.error('e');
    expect(warn.records().map((r) => r['msg'])).toEqual(['e']);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('adds the current request id to every line written in a request scope, through children too', async () => {
    const { logger, records } = capture();
    const child = logger.child({ component: 'mcp' });
    await runInRequestScope('req-42', async () => {
      logger.info('one');
      await new Promise((resolve) => setTimeout(resolve, 1));
      child.warn('two');
    });
    logger.info('outside');
    expect(records()).toEqual([
      expect.objectContaining({ msg: 'one', requestId: 'req-42' }),
      expect.objectContaining({ msg: 'two', requestId: 'req-42', component: 'mcp' }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
    // An explicit requestId field wins, and appears once.
    const explicit = capture();
    runInRequestScope('outer', () => explicit.logger.error('x', { requestId: 'inner' }));
    expect(explicit.lines[0]?.match(/"requestId"/g)).toHaveLength(1);
    expect(explicit.records()[0]?.['requestId']).toBe('inner');
  });

  it('redacts credential fields at any depth', () => {
    const { logger, lines, records } = capture();
    logger.info('request', {
      authorization: `Bearer ${KEY}`,
      headers: { Authorization: `Bearer ${KEY}`, 'x-api-key': KEY, cookie: 'session=abc' },
      nested: { deeper: { password: 'hunter2hunter2', api_key: 'sk-1234567890abcdefghij', token: 't0k3n' } },
      connectionParams: [{ authorization: KEY }],
      keyPrefix: 'hg_Q2xh*',
    });
    const text = lines.join('\n');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('t0k3n');
    expect(text).not.toContain('session=abc');
    const record = records()[0] as Record<string, any>;
    expect(record['authorization']).toBe(REDACTED);
    expect(record['headers']['Authorization']).toBe(REDACTED);
    expect(record['headers']['x-api-key']).toBe(REDACTED);
    expect(record['nested']['deeper']).toEqual({ password: REDACTED, api_key: REDACTED, token: REDACTED });
    expect(record['connectionParams'][0]['authorization']).toBe(REDACTED);
    // A key's 8-character prefix is what callers log on purpose: kept.
    expect(record['keyPrefix']).toBe('hg_Q2xh*');
  });

  it('masks keys, bearer tokens and URL passwords inside messages, strings and errors', () => {
    const { logger, lines } = capture();
    logger.error(`auth failed for Bearer ${KEY}`, {
      error: new Error(`lookup of ${KEY} failed`),
      detail: `postgres://hivegraph:s3cretpass@db:5432/hivegraph unreachable`,
      stack: `Error: header was "Bearer abc.def.ghi-jkl"\n    at x`,
      openai: 'sent sk-abcdefghijklmnopqrstuvwx',
    });
    logger.child({ url: 'rediss://user:pw12345@cache:6379' }).info('child bindings too');
    const text = lines.join('\n');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('s3cretpass');
    expect(text).not.toContain('abc.def.ghi-jkl');
    expect(text).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(text).not.toContain('pw12345');
    expect(text).toContain('postgres://hivegraph:[REDACTED]@db:5432');
  });

  it('redactText leaves ordinary text alone', () => {
    expect(redactText('applied migration 0010_rate_limits')).toBe('applied migration 0010_rate_limits');
    expect(redactText('see https://example.com/path?q=1')).toBe('see https://example.com/path?q=1');
  });

  it('survives circular and odd values', () => {
    const { logger, records } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop['self'] = loop;
    logger.info('odd', { loop, big: 12n, when: new Date(0), map: new Map([['a', 1]]) });
    expect(records()[0]).toMatchObject({ loop: { name: 'loop', self: '[circular]' }, big: '12', when: '1970-01-01T00:00:00.000Z', map: { a: 1 } });
  });
});
